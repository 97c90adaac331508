// What the signed-in user may do comes from the server (`me { permissions }`, built from
// the policy table); the app only asks it.

export type Permissions = ReadonlySet<string>;

export function permissionSet(list: readonly string[] | undefined | null): Permissions {
  return new Set(list ?? []);
}

export function can(permissions: Permissions, field: string): boolean {
  return permissions.has(field);
}

export interface MenuItem {
  path: string;
  label: string;
  /** The root field the screen cannot work without; of a list, any one will do. */
  needs: string | readonly string[];
}

export function menuFor<T extends MenuItem>(items: readonly T[], permissions: Permissions): T[] {
  return items.filter((item) => (typeof item.needs === "string" ? [item.needs] : item.needs).some((field) => permissions.has(field)));
}
