import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { startEmulator } from "../emulator";
import { loadOrCreateTls } from "../emulator/tls";
import { TEST_TLS_DIR, tempDir } from "./support/emulator";
import { brief, DEVICE_OWNER, deviceOwnerBody, Graph, Json, MODES } from "./support/emulatorGraph";
import { CliEmulator, startCliEmulator } from "./support/emulatorProcess";
import { clientFor, createDirect, rejectionOf } from "./support/graphClient";

/** The profiles a state file holds, read straight from disk. */
function profilesOnDisk(stateFile: string): Json[] {
    return (JSON.parse(readFileSync(stateFile, "utf8")) as { profiles: Json[] }).profiles;
}

async function listedIds(g: Graph): Promise<string[]> {
    const ids: string[] = [];
    for (const page of await g.pages(g.collection(DEVICE_OWNER))) ids.push(...(page.value as Json[]).map((p) => p.id as string));
    return ids.sort();
}

/** `count` creates, `parallel` at a time; the status of each. */
async function createMany(g: Graph, count: number, parallel: number, label: string): Promise<{ status: number; id?: string; text: string }[]> {
    const results: { status: number; id?: string; text: string }[] = [];
    let next = 0;
    await Promise.all(
        Array.from({ length: parallel }, async () => {
            while (next < count) {
                next += 1;
                const res = await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated, { description: label }));
                results.push({ status: res.status, id: res.json?.id, text: brief(res) });
            }
        }),
    );
    return results;
}

describe("emulator state file shared by several processes", function () {
    this.timeout(120_000);
    const running: CliEmulator[] = [];
    const cli = async (stateFile: string, extra: string[] = [], fileSizeLimitKb?: number): Promise<CliEmulator> => {
        const started = await startCliEmulator(["--state-file", stateFile, "--tls-dir", TEST_TLS_DIR, "--no-throttle", ...extra], { fileSizeLimitKb });
        running.push(started);
        return started;
    };
    before(async () => {
        await loadOrCreateTls(TEST_TLS_DIR); // generated once, before any process races to make it
    });
    afterEach(async () => {
        await Promise.all(running.splice(0).map((c) => c.kill("SIGKILL")));
    });

    it("loses nothing when two emulator processes create 30 profiles each at the same time on one state file", async () => {
        const stateFile = join(tempDir("intune-shared"), "state.json");
        const [a, b] = await Promise.all([cli(stateFile), cli(stateFile)]);
        const ga = new Graph(a.target, a.info.accessToken);
        const gb = new Graph(b.target, b.info.accessToken);

        const [fromA, fromB] = await Promise.all([createMany(ga, 30, 4, "A"), createMany(gb, 30, 4, "B")]);

        const failed = [...fromA, ...fromB].filter((r) => r.status !== 201);
        expect(
            failed.map((r) => `${r.status} ${r.text}`),
            "creates not answered 201",
        ).to.deep.equal([]);
        const acknowledged = [...fromA, ...fromB].map((r) => r.id!).sort();
        expect(new Set(acknowledged).size).to.equal(60);
        expect(
            profilesOnDisk(stateFile)
                .map((p) => p.entity.id as string)
                .sort(),
        ).to.deep.equal(acknowledged);
        // Each process sees the other's profiles too, without a restart.
        expect(await listedIds(ga)).to.deep.equal(acknowledged);
        expect(await listedIds(gb)).to.deep.equal(acknowledged);
        expect(readdirSync(dirname(stateFile)), "no lock or temporary file left behind").to.deep.equal(["state.json"]);
    });

    for (const [holder, pid] of [
        [
            "a process that died holding it",
            () => Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout),
        ],
        ["an earlier process with this process's pid (a restarted container)", () => process.pid],
    ] as const) {
        it(`breaks the lock of ${holder}`, async () => {
            const stateFile = join(tempDir("intune-stale-lock"), "state.json");
            writeFileSync(`${stateFile}.lock`, JSON.stringify({ pid: pid(), host: hostname(), nonce: "stale", at: new Date().toISOString() }));
            const emulator = await startEmulator({ tlsDir: TEST_TLS_DIR, stateFile });
            try {
                const started = Date.now();
                const created = await new Graph(emulator).create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
                expect(Date.now() - started, "no waiting for a dead holder").to.be.below(5_000);
                expect(profilesOnDisk(stateFile).map((p) => p.entity.id)).to.deep.equal([created.id]);
                expect(existsSync(`${stateFile}.lock`)).to.equal(false);
            } finally {
                await emulator.stop();
            }
        });
    }

    it("removes the temporary copy of the state that a writer killed mid-save left, and spares a live writer's", async () => {
        const stateFile = join(tempDir("intune-leftover-tmp"), "state.json");
        const deadPid = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
        const leftover = `${stateFile}.${deadPid}.0123456789ab.tmp`;
        const liveWriters = `${stateFile}.${process.ppid}.ba9876543210.tmp`;
        const oldLiveWriters = `${stateFile}.${process.ppid}.cafecafecafe.tmp`;
        const notOurs = `${stateFile}.backup`;
        for (const path of [leftover, liveWriters, oldLiveWriters, notOurs]) writeFileSync(path, '{"profiles":[{"tokenValue":"secret"}]}');
        const longAgo = new Date(Date.now() - 10 * 60_000);
        utimesSync(oldLiveWriters, longAgo, longAgo);

        const emulator = await startEmulator({ tlsDir: TEST_TLS_DIR, stateFile });
        try {
            await new Graph(emulator).create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        } finally {
            await emulator.stop();
        }

        expect(readdirSync(dirname(stateFile)).sort()).to.deep.equal(["state.json", "state.json.backup", basename(liveWriters)].sort());
    });

    it("sees a profile another process deleted as deleted, and does not bring it back with a PATCH", async () => {
        const stateFile = join(tempDir("intune-shared"), "state.json");
        const [a, b] = await Promise.all([cli(stateFile), cli(stateFile)]);
        const ga = new Graph(a.target, a.info.accessToken);
        const gb = new Graph(b.target, b.info.accessToken);
        const created = await ga.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        expect((await gb.get(gb.item(DEVICE_OWNER, created.id))).status).to.equal(200);
        expect((await ga.delete(ga.item(DEVICE_OWNER, created.id))).status).to.equal(204);

        expect((await gb.patch(gb.item(DEVICE_OWNER, created.id), { description: "changed" })).status).to.equal(404);
        expect((await gb.get(gb.item(DEVICE_OWNER, created.id))).status).to.equal(404);
        expect(profilesOnDisk(stateFile)).to.deep.equal([]);
    });

    it("creates the state file's folder and answers the first create 201 with the profile stored", async () => {
        const folder = join(tempDir("intune-state-folder"), ".emulator", "nested");
        const stateFile = join(folder, "state.json");
        const emulator = await cli(stateFile);
        const g = new Graph(emulator.target, emulator.info.accessToken);

        const res = await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated));

        expect(res.status, brief(res)).to.equal(201);
        expect(profilesOnDisk(stateFile).map((p) => p.entity.id)).to.deep.equal([res.json.id]);
        expect(statSync(folder).mode & 0o777, "the folder holds tokens").to.equal(0o700);
    });

    it("answers a write it could not persist with the emulator's own error and changes nothing, in memory or on disk", async () => {
        const stateFile = join(tempDir("intune-state-full"), "state.json");
        const seeding = await startEmulator({ tlsDir: TEST_TLS_DIR, stateFile });
        const kept = await new Graph(seeding).create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated, { description: "before" }));
        const other = await new Graph(seeding).create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        await seeding.stop();
        const before = readFileSync(stateFile, "utf8");
        expect(before.length / 2, "one profile's state must exceed the file-size limit").to.be.above(4 * 1024);

        // Every state write of this process fails with EFBIG, as on a full disk; reads still work.
        const full = await cli(stateFile, [], 4);
        const g = new Graph(full.target, full.info.accessToken);
        const expectLocalFailure = (res: { status: number; json: Json; text: string }): void => {
            expect(res.status, brief(res as never)).to.equal(500);
            expect(res.json.error.code).to.equal("EmulatorStateFileError");
            expect(res.json.error.message).to.contain(`local Intune emulator could not save its state file ${stateFile}`);
            expect(res.json.error.message).to.contain("Nothing was changed").and.contain("not of Microsoft Intune");
        };

        expectLocalFailure(await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated)));
        expectLocalFailure(await g.patch(g.item(DEVICE_OWNER, kept.id), { description: "after" }));
        expectLocalFailure(await g.delete(g.item(DEVICE_OWNER, other.id)));
        expectLocalFailure(await g.post(g.item(DEVICE_OWNER, kept.id, "/createToken"), { tokenValidityInSeconds: 3600 }));

        expect(await listedIds(g)).to.deep.equal([kept.id, other.id].sort());
        const now = await g.read(DEVICE_OWNER, kept.id, "description,tokenValue");
        expect(now.description).to.equal("before");
        expect(now.tokenValue).to.equal(kept.tokenValue);
        expect(readFileSync(stateFile, "utf8")).to.equal(before);

        // The provider passes the emulator's words on, and does not call it an Intune outage.
        const client = clientFor({
            tenantId: full.info.tenantId,
            clientId: full.info.clientId,
            clientSecret: full.info.clientSecret,
            graphEndpoint: full.info.url,
            authorityHost: full.info.url,
            caCertificatePath: full.info.caCertificate,
        });
        const err = await rejectionOf(createDirect(client, "Kiosk on a full disk"));
        expect(err.message).to.contain('Creating Android enrollment profile "Kiosk on a full disk" failed: 500');
        expect(err.message).to.contain(`The local Intune emulator could not save its state file ${stateFile}`);
        expect(err.message).not.to.match(/Intune service failed|usually transient/);
    });
});
