import { describe, expect, it } from "vitest";
import { keyBytes } from "./push";

describe("keyBytes", () => {
  it("reads a base64url VAPID key without padding", () => {
    // 65 bytes: an uncompressed P-256 point starts with 0x04.
    const key = "BOr3jd6Sx7Bz3q0v7Lh9yfJjXO1p0l2q3m4n5o6p7q8r9s0t1u2v3w4x5y6z7A8B9C0D1E2F3G4H5I6J7K8L9M0";
    const bytes = keyBytes(key);
    expect(bytes[0]).toBe(0x04);
    expect(bytes.length).toBe(Math.floor((key.length * 6) / 8));
    expect([...keyBytes("_-8")]).toEqual([0xff, 0xef]);
  });
});
