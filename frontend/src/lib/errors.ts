import type { CombinedError } from "@urql/core";
import type { Lang } from "./time";

export interface ShownError {
  code: string;
  message: string;
  /** For VALIDATION: the input named, e.g. `input.amount`. */
  field?: string;
}

/** The first error of a result, in the user's language: the server's message, by code. */
export function describeError(error: CombinedError | Error | null | undefined, lang: Lang): ShownError | null {
  if (!error) return null;
  if ("graphQLErrors" in error) {
    const first = error.graphQLErrors[0];
    if (first) {
      const ext = first.extensions as { code?: unknown; messageEn?: unknown; field?: unknown };
      const code = typeof ext.code === "string" ? ext.code : "INTERNAL";
      const message = lang === "en" && typeof ext.messageEn === "string" ? ext.messageEn : first.message;
      const field = typeof ext.field === "string" ? ext.field : undefined;
      return field ? { code, message, field } : { code, message };
    }
    return { code: "NETWORK", message: lang === "ru" ? "Нет связи с сервером" : "No connection to the server" };
  }
  const maybe = error as Error & { code?: string; field?: string };
  const shown: ShownError = { code: maybe.code ?? "INTERNAL", message: maybe.message };
  if (maybe.field) shown.field = maybe.field;
  return shown;
}

/**
 * Whether a VALIDATION error names this input. The API names a field by its path from the
 * argument (`input.amount`, `page.limit`, `hours[1]`, `input.windows[0].endsAt`); the app names
 * it without the argument (`amount`, `limit`, `hours`, `windows[0].endsAt`). A list matches
 * an error about any of its items, but `name` does not match `windows[0].name`.
 */
export function fieldHasError(error: ShownError | null, name: string): boolean {
  if (!error?.field || error.code !== "VALIDATION") return false;
  const field = error.field;
  const inArgument = /^[A-Za-z_]\w*\./.test(field) ? field.slice(field.indexOf(".") + 1) : field;
  return [field, inArgument].some((path) => path === name || path.startsWith(`${name}[`));
}

/**
 * A VALIDATION message as shown under its own field: the API begins it with the field's path
 * ("Поле «input.email»: …", "Field `input.email`: …"), which the field's place already says.
 */
export function messageAtField(error: ShownError): string {
  return error.message.replace(/^(?:Поле «[^»]*»|Field `[^`]*`):\s*/, "");
}

/** Whether a GraphQL response says the access token is no longer good (code UNAUTHENTICATED). */
export async function isUnauthenticated(response: Response): Promise<boolean> {
  if (!response.headers.get("content-type")?.includes("json")) return false;
  try {
    const body = (await response.clone().json()) as { errors?: { extensions?: { code?: string } }[] };
    return body.errors?.some((e) => e.extensions?.code === "UNAUTHENTICATED") ?? false;
  } catch {
    return false;
  }
}
