import { expect } from "chai";
import { chmodSync, chownSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadOrCreateTls } from "../emulator/tls";
import { tempDir } from "./support/emulator";
import { rejectionOf } from "./support/graphClient";

describe("emulator TLS folder", () => {
    it("creates the CA folder private to its owner (0700)", async () => {
        const dir = join(tempDir("intune-tls-new"), "tls");
        const tls = await loadOrCreateTls(dir);
        expect(statSync(dir).mode & 0o777).to.equal(0o700);
        expect(existsSync(tls.caPath)).to.equal(true);
    });

    it("refuses a folder writable by others instead of trusting the CA in it", async () => {
        const dir = join(tempDir("intune-tls-open"), "tls");
        mkdirSync(dir);
        chmodSync(dir, 0o777);
        const err = await rejectionOf(loadOrCreateTls(dir));
        expect(err.message).to.contain(`refusing the emulator's TLS folder ${dir}`).and.contain("writable by its group");
        expect(existsSync(join(dir, "ca.pem")), "nothing is written into it").to.equal(false);
    });

    it("refuses a folder owned by another user", async function () {
        const uid = process.getuid?.();
        if (uid === undefined) this.skip(); // no POSIX owners (Windows)
        let dir: string;
        if (uid === 0) {
            dir = join(tempDir("intune-tls-foreign"), "tls");
            mkdirSync(dir, { mode: 0o700 });
            chownSync(dir, 65534, 65534);
        } else {
            dir = "/"; // root's; this user cannot chown a folder to someone else
        }
        const err = await rejectionOf(loadOrCreateTls(dir));
        expect(err.message)
            .to.contain(`refusing the emulator's TLS folder ${dir}`)
            .and.match(/owned by uid \d+, not by this user/);
    });
});
