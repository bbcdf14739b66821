import { expect } from "chai";
import { applyToTenants, boundedAll, failureLine, parseTenantsFile, resultsTable, TenantResult } from "../provider/tenants";

/**
 * The many-tenants runner's parts that need no engine: the concurrency bound, the tenants file (secrets from the
 * environment, a missing one failing that tenant alone), the line picked from an engine failure, and the table.
 */
describe("tenants: applying one declaration to many tenants", () => {
    it("runs at most `limit` at once, every item gets its result in order, and one failure does not stop the rest", async () => {
        let running = 0;
        let peak = 0;
        const results = await boundedAll([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
            running++;
            peak = Math.max(peak, running);
            await new Promise((r) => setTimeout(r, 5 + (n % 3) * 5));
            running--;
            return n === 4 ? "failed" : `ok ${n}`;
        });
        expect(peak).to.equal(3);
        expect(results).to.deep.equal(["ok 1", "ok 2", "ok 3", "failed", "ok 5", "ok 6", "ok 7"]);
    });

    it("reads secrets from the named environment variables, and a tenant whose variable is missing is unusable, alone", () => {
        const file = parseTenantsFile(
            JSON.stringify({
                concurrency: 2,
                tenants: [
                    {
                        name: "contoso",
                        config: { "intune:tenantId": "t-1", "intune:clientSecret": { fromEnv: "CONTOSO_SECRET" }, "intune:writesPerWindow": 60 },
                    },
                    { name: "fabrikam", config: { "intune:tenantId": "t-2", "intune:clientSecret": { fromEnv: "FABRIKAM_SECRET" } } },
                    { name: "noTenant", config: { "intune:clientId": "c" } },
                ],
            }),
            { CONTOSO_SECRET: "s3cret-value" },
        );
        expect(file.concurrency).to.equal(2);
        expect(file.tenants[0]).to.deep.equal({
            name: "contoso",
            config: { "intune:tenantId": "t-1", "intune:clientSecret": { value: "s3cret-value", secret: true }, "intune:writesPerWindow": "60" },
        });
        expect(file.tenants[1].unusable).to.equal("intune:clientSecret is read from the environment variable FABRIKAM_SECRET, which is not set");
        expect(file.tenants[2].unusable).to.equal("intune:tenantId is not set: each tenant's stack must name its tenant");
        expect(() => parseTenantsFile('{"tenants": []}')).to.throw(/non-empty list/);
        expect(() => parseTenantsFile('{"concurrency": 0, "tenants": [{"name": "a", "config": {"intune:tenantId": "x"}}]}')).to.throw(/at least 1/);
    });

    it("refuses two tenants on one stack before running anything, and fails an unusable tenant without running it", async () => {
        const common = { project: "p", program: async () => undefined, concurrency: 2, workDir: "/nonexistent" };
        let err: unknown;
        await applyToTenants({
            ...common,
            tenants: [
                { name: "a", config: {} },
                { name: "b", stack: "tenant-a", config: {} },
            ],
        }).catch((e: unknown) => (err = e));
        expect(String(err)).to.match(/two tenants use the stack tenant-a/);
        const [result] = await applyToTenants({
            ...common,
            tenants: [{ name: "a", config: {}, unusable: "intune:clientSecret is read from the environment variable X, which is not set" }],
        });
        expect(result).to.include({
            tenant: "a",
            stack: "tenant-a",
            status: "failed",
            error: "intune:clientSecret is read from the environment variable X, which is not set",
        });
    });

    it("picks the provider's diagnostic out of an engine failure, not the engine's summary", () => {
        const engine = [
            "CommandError: code: -2",
            " stdout: ",
            " stderr: Command failed with exit code 1: pulumi up --yes",
            "Updating (tenant-t4):",
            "",
            "Diagnostics:",
            "  pulumi:pulumi:Stack (intune-many-tenants-tenant-t4):",
            "    error: update failed",
            "",
            "  pulumi-nodejs:dynamic/intune:AndroidDeviceOwnerEnrollmentProfile (kiosk-1):",
            "    error: 1 error occurred:",
            '    \t* Creating Android enrollment profile "T4 kiosk 1" failed: could not sign in to Entra ID (clientSecret): AADSTS7000215: Invalid client secret provided.',
            "",
            "Resources:",
            "    1 unchanged",
        ].join("\n");
        expect(failureLine(new Error(engine))).to.equal(
            'Creating Android enrollment profile "T4 kiosk 1" failed: could not sign in to Entra ID (clientSecret): AADSTS7000215: Invalid client secret provided.',
        );
        expect(failureLine(new Error("no tenant named x"))).to.equal("no tenant named x");
    });

    it("prints a table of every tenant, the failures' lines under it, and a summary", () => {
        const row = (tenant: string, status: TenantResult["status"], created: number, unchanged: number, error?: string): TenantResult => ({
            tenant,
            stack: `tenant-${tenant}`,
            status,
            created,
            updated: 0,
            unchanged,
            deleted: 0,
            replaced: 0,
            durationMs: 1234,
            ...(error ? { error } : {}),
        });
        const table = resultsTable([row("contoso", "succeeded", 4, 0), row("fabrikam", "failed", 0, 0, "could not sign in")]);
        expect(table.split("\n")).to.deep.equal([
            "tenant    stack            status     created  updated  unchanged  deleted  seconds",
            "--------  ---------------  ---------  -------  -------  ---------  -------  -------",
            "contoso   tenant-contoso   succeeded        4        0          0        0      1.2",
            "fabrikam  tenant-fabrikam  failed           0        0          0        0      1.2",
            "",
            "fabrikam: could not sign in",
            "",
            "1 of 2 tenants succeeded; failed: fabrikam",
        ]);
    });
});
