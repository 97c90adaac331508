import { afterEach, describe, expect, it, vi } from "vitest";
import { Session } from "./session";

class MemoryStorage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

const user = { id: "4", username: "operator", displayName: "Оператор", role: "OPERATOR" as const, permissions: ["Query.pcMap"] };
const payload = (n: number) => ({ accessToken: `access-${n}`, accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(), refreshToken: `refresh-${n}`, user });

function answer(data: unknown) {
  return new Response(JSON.stringify(data), { headers: { "content-type": "application/json" } });
}

afterEach(() => vi.unstubAllGlobals());

describe("the sign-in", () => {
  it("keeps the access token in memory and rotates the refresh token", async () => {
    const storage = new MemoryStorage();
    const sent: string[] = [];
    let n = 0;
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body)) as { variables: { refreshToken?: string } };
      if (body.variables.refreshToken) sent.push(body.variables.refreshToken);
      n += 1;
      return answer({ data: { login: payload(n), refreshToken: payload(n) } });
    });
    const session = new Session(storage);
    await session.login("operator", "demo12345");
    expect(session.token()).toBe("access-1");
    expect(storage.getItem("clubgrid.refreshToken")).toBe("refresh-1");
    expect(JSON.stringify([...Array(storage.length).keys()].map((i) => storage.getItem(storage.key(i) ?? "")))).not.toContain("access-");
    expect(await session.refresh()).toBe(true);
    expect(sent).toEqual(["refresh-1"]);
    expect(storage.getItem("clubgrid.refreshToken")).toBe("refresh-2");
    expect(session.token()).toBe("access-2");
  });

  it("an expired sign-in keeps the user (and so the screen) and asks to sign in again", async () => {
    vi.stubGlobal("fetch", async () => answer({ data: { login: payload(1) } }));
    const session = new Session(new MemoryStorage());
    await session.login("operator", "demo12345");
    vi.stubGlobal("fetch", async () => answer({ errors: [{ message: "Сеанс истёк", extensions: { code: "UNAUTHENTICATED" } }] }));
    expect(await session.refresh()).toBe(false);
    expect(session.state.status).toBe("expired");
    expect(session.state.user?.username).toBe("operator");
    expect(session.token()).toBeNull();
  });

  it("signing out forgets both tokens", async () => {
    const storage = new MemoryStorage();
    vi.stubGlobal("fetch", async () => answer({ data: { login: payload(1), logout: true } }));
    const session = new Session(storage);
    await session.login("operator", "demo12345");
    await session.logout();
    expect(session.state.status).toBe("anonymous");
    expect(storage.getItem("clubgrid.refreshToken")).toBeNull();
    expect(session.token()).toBeNull();
  });
});
