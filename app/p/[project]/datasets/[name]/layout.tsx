import type { ReactNode } from "react";
import { requireObject } from "../../require-object";

/** The dataset page and its edit form: 404 for an unknown name, before anything streams. */
export default async function Layout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ project: string; name: string }>;
}) {
  const { project, name } = await params;
  await requireObject(project, "dataset", name);
  return children;
}
