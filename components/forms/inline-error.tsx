/** A red line under a control that is not inside a Field (table cells, row editors). */
export function InlineError({ message, id }: { message: string | undefined; id?: string }) {
  if (!message) return null;
  return (
    <p id={id} className="text-xs text-red-600">
      {message}
    </p>
  );
}
