"use client";

import { useEffect, useRef, useState } from "react";
import { type FormErrors, sentence, serverError, withoutError } from "./form-errors";

/**
 * State of a page form over an object: its values, inline errors by path, and a banner for errors
 * that name no input. `paths` says which server paths the form renders;
 * a server error on one of them lands under it, anything else in the banner.
 */
export function useFormState<S extends object>(initial: S, paths: RegExp, prefix = "") {
  const [state, setState] = useState(initial);
  const [errors, setErrors] = useState<FormErrors>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  // After a submit with errors, the first invalid input gets focus.
  useEffect(() => {
    if (round === 0) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    first?.focus({ preventScroll: true });
    first?.scrollIntoView({ block: "center" });
  }, [round]);

  function showErrors(next: FormErrors) {
    setErrors(next);
    setRound((n) => n + 1);
  }

  return {
    state,
    errors,
    banner,
    formRef,
    errorCount: Object.keys(errors).length,
    errorOf: (path: string) => (errors[path] ? sentence(errors[path]) : undefined),
    /** Changes one value and drops the errors of what changed (`prefix` and below). */
    set<K extends keyof S>(key: K, value: S[K], path: string = String(key)) {
      setState((s) => ({ ...s, [key]: value }));
      setErrors((e) => {
        const hit = Object.keys(e).filter((k) => k === path || k.startsWith(`${path}.`));
        return hit.reduce(withoutError, e);
      });
    },
    showErrors,
    reset() {
      setErrors({});
      setBanner(null);
    },
    /**
     * Puts a failed save where it belongs: an error naming a rendered input (after `mapPath`) under
     * it, the rest (a 409 naming no input, a 403 in plain words) in the banner.
     */
    onServerError(error: unknown, mapPath: (path: string) => string = (p) => p) {
      const { field, message, issues } = serverError(error, prefix);
      const at = field ? mapPath(field) : null;
      if (at && paths.test(at)) return showErrors({ [at]: message });
      if (issues) {
        const mapped = Object.fromEntries(Object.entries(issues).map(([k, v]) => [mapPath(k), v]));
        if (Object.keys(mapped).every((k) => paths.test(k))) return showErrors(mapped);
      }
      setBanner(issues ? "The server refused the definition; check the values and try again." : message);
    },
  };
}
