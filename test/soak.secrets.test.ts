import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Produced } from "../soak/secrets";
import { renderTable, targets } from "../soak/run";

/** `npm run soak` part 5: the sweep that searches everything the suite produced for every secret it made. */
describe("soak: the secrets sweep", () => {
    const dir = mkdtempSync(join(tmpdir(), "soak-sweep-"));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("finds a token, a Wi-Fi password and a credential in files, logs and errors, reports where without the secret, and skips the emulator's own store", () => {
        const produced = new Produced();
        const token = "TOKEN-7f3a9c1e5b2d4a6f";
        const wifi = "wifi-passphrase-soak-1";
        const credential = "client-secret-soak-42";
        produced.secret(token);
        produced.wifiPassword(wifi);
        produced.credential(credential);
        produced.secret("short");
        writeFileSync(join(dir, "checkpoint.json"), JSON.stringify({ outputs: { tokenValue: token } }));
        writeFileSync(join(dir, "state.json"), JSON.stringify({ tokenValue: token, wifiPassword: wifi }));
        produced.path(dir, [join(dir, "state.json")]);
        produced.text("an error", `Creating failed: password ${wifi} refused`);
        produced.process("a log", () => `signed in with ${credential}`);
        produced.text("clean", "nothing to see here, short short short");
        const r = produced.sweep();
        expect(r.secrets, "secrets shorter than 8 characters are not tracked").to.equal(3);
        expect(r.files).to.equal(1);
        expect(r.hits.map((h) => [h.kind, h.where])).to.deep.equal([
            ["Wi-Fi password", "an error"],
            ["credential", "a log"],
            ["token or QR content", join(dir, "checkpoint.json")],
        ]);
        expect(JSON.stringify(r)).to.not.include(token).and.not.include(wifi).and.not.include(credential);
    });

    it("renders its targets as a table: PASS, MISS, or a figure that is only reported", () => {
        const table = renderTable(
            targets({
                startedAt: "",
                wallMs: 0,
                settings: {} as never,
                machine: { cpus: 2, model: "", memoryGB: 1, loadStart: [] },
                secrets: { secrets: 5, byKind: {}, places: 3, files: 1, bytes: 2_000_000, hits: [{ kind: "credential", secretStart: "abc…", where: "x" }] },
                targets: [],
            }),
        );
        expect(table.split("\n")[2]).to.match(/^5 secrets\s+plain-text hits = 0\s+1 \(5 secrets in 1 files \+ 2 logs\/errors, 2\.0 MB\)\s+MISS$/);
    });
});
