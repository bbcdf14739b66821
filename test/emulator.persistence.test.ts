import { expect } from "chai";
import { join } from "node:path";
import { startEmulator } from "../emulator";
import { TEST_TLS_DIR, tempDir } from "./support/emulator";
import { RawResponse } from "./support/http";
import { DEVICE_OWNER, deviceOwnerBody, Graph, Json, LEGACY, legacyBody, LEGACY_TOKEN_SELECT, MODES, TOKEN_SELECT } from "./support/emulatorGraph";
import { CliEmulator, startCliEmulator } from "./support/emulatorProcess";

/** id → tokenValue of every profile a list returns (all pages, token fields selected). */
async function tokensById(g: Graph): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const [collection, select] of [
        [DEVICE_OWNER, TOKEN_SELECT],
        [LEGACY, LEGACY_TOKEN_SELECT],
    ] as const) {
        // A list answers the token fields as null: read each profile with $select, as a client must.
        for (const page of await g.pages(g.collection(collection, "?$select=id"))) {
            for (const p of page.value as Json[]) out.set(p.id, (await g.read(collection, p.id, select)).tokenValue);
        }
    }
    return out;
}

describe("emulator persistence: a state file survives a killed process", function () {
    this.timeout(60_000);
    const cli = (stateFile: string) => startCliEmulator(["--state-file", stateFile, "--tls-dir", TEST_TLS_DIR]);
    const running: CliEmulator[] = [];
    afterEach(async () => {
        await Promise.all(running.splice(0).map((c) => c.kill("SIGKILL")));
    });

    it("prints one JSON line with the url, the CA certificate and a working access token", async () => {
        const first = await cli(join(tempDir("intune-state"), "state.json"));
        running.push(first);
        expect(first.info.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
        expect(first.target.caPem).to.contain("BEGIN CERTIFICATE");
        const res = await new Graph(first.target, first.info.accessToken).get(`/deviceManagement/${DEVICE_OWNER}`);
        expect(res.status).to.equal(200);
    });

    it("lists every profile it answered 201 for, with the same ids and tokens, after SIGKILL and a restart", async () => {
        const stateFile = join(tempDir("intune-state"), "state.json");
        const first = await cli(stateFile);
        running.push(first);
        const g = new Graph(first.target, first.info.accessToken);
        const acknowledged = new Map<string, string | null>();
        for (const mode of [MODES.dedicated, MODES.fullyManaged, MODES.aospUserless]) {
            const created = await g.create(DEVICE_OWNER, deviceOwnerBody(mode));
            acknowledged.set(created.id, created.tokenValue);
        }
        const legacy = await g.create(LEGACY, legacyBody());
        expect((await g.post(g.item(LEGACY, legacy.id, "/createToken"), { tokenValidityInSeconds: 3600 })).status).to.equal(204);
        acknowledged.set(legacy.id, (await g.read(LEGACY, legacy.id, LEGACY_TOKEN_SELECT)).tokenValue);
        const deleted = await g.create(LEGACY, legacyBody());
        expect((await g.delete(g.item(LEGACY, deleted.id))).status).to.equal(204);

        await first.kill("SIGKILL");
        const second = await cli(stateFile);
        running.push(second);
        const after = await tokensById(new Graph(second.target, second.info.accessToken));
        expect(after).to.deep.equal(acknowledged);
    });

    it("keeps every acknowledged create when killed while creates are still in flight", async () => {
        const stateFile = join(tempDir("intune-state"), "state.json");
        const first = await cli(stateFile);
        running.push(first);
        const g = new Graph(first.target, first.info.accessToken);
        const acknowledged = new Map<string, string>();
        let killed: Promise<void> | undefined;
        const attempts = Array.from({ length: 12 }, async (): Promise<void> => {
            let res: RawResponse;
            try {
                res = await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated));
            } catch {
                return; // lost with the process: never acknowledged
            }
            if (res.status !== 201) return;
            acknowledged.set(res.json.id, res.json.tokenValue);
            if (acknowledged.size === 4) killed = first.kill("SIGKILL");
        });
        await Promise.all(attempts);
        await killed;
        expect(acknowledged.size).to.be.at.least(4);

        const second = await cli(stateFile);
        running.push(second);
        const after = await tokensById(new Graph(second.target, second.info.accessToken));
        for (const [id, token] of acknowledged) expect(after.get(id), `profile ${id}`).to.equal(token);
    });
});

describe("emulator persistence in process: startEmulator({ stateFile })", () => {
    it("restores profiles, token changes and deletions after stop and start", async () => {
        const stateFile = join(tempDir("intune-state"), "state.json");
        const first = await startEmulator({ tlsDir: TEST_TLS_DIR, stateFile });
        let g = new Graph(first);
        const kept = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.workProfile, { deviceNameTemplate: "WP-{{SERIAL}}" }));
        const renewed = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        await g.post(g.item(DEVICE_OWNER, renewed.id, "/createToken"), { tokenValidityInSeconds: 7200 });
        const renewedToken = (await g.read(DEVICE_OWNER, renewed.id, TOKEN_SELECT)).tokenValue;
        const removed = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        await g.delete(g.item(DEVICE_OWNER, removed.id));
        await first.stop();

        const second = await startEmulator({ tlsDir: TEST_TLS_DIR, stateFile });
        try {
            g = new Graph(second);
            const restored = await tokensById(g);
            expect(restored).to.deep.equal(
                new Map([
                    [kept.id, kept.tokenValue],
                    [renewed.id, renewedToken],
                ]),
            );
            expect((await g.read(DEVICE_OWNER, kept.id)).deviceNameTemplate).to.equal("WP-{{SERIAL}}");
            expect((await g.get(g.item(DEVICE_OWNER, removed.id))).status).to.equal(404);
        } finally {
            await second.stop();
        }
    });

    it("starts empty without a state file", async () => {
        const first = await startEmulator({ tlsDir: TEST_TLS_DIR });
        await new Graph(first).create(LEGACY, legacyBody());
        await first.stop();
        const second = await startEmulator({ tlsDir: TEST_TLS_DIR });
        try {
            expect(second.profiles(LEGACY)).to.have.length(0);
        } finally {
            await second.stop();
        }
    });
});
