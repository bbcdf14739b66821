import { expect } from "chai";
import { cloudByName, CLOUDS } from "../../provider/graph/clouds";
import { ConfigReader, configure, providerSettings, resetConfiguration } from "../../provider/runtime/configuration";
import {
    OTHER_ENVIRONMENT_VARIABLES,
    resolveSettings,
    SETTING_KEYS,
    SettingsError,
    unknownConfigKeys,
    unknownEnvironmentVariables,
} from "../../provider/runtime/settings";
import { settingsFrom } from "../support/graphClient";

const TENANT = "8c1c6f5e-0d2c-4b9e-9f3a-2b7e1c3a9d10";
const CLIENT = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";

const noConfig = (): undefined => undefined;

function settingsError(fn: () => unknown): SettingsError {
    try {
        fn();
    } catch (err) {
        expect(err).to.be.instanceOf(SettingsError);
        return err as SettingsError;
    }
    throw new Error("expected a SettingsError");
}

describe("graph client settings: sign-in method detected from the environment alone", () => {
    const base = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT };

    it("picks clientSecret from AZURE_CLIENT_SECRET", () => {
        const s = resolveSettings(noConfig, { ...base, AZURE_CLIENT_SECRET: "s3cr3t-value" });
        expect(s.auth).to.deep.equal({ method: "clientSecret", clientSecret: "s3cr3t-value" });
        expect(s.tenantId).to.equal(TENANT);
        expect(s.clientId).to.equal(CLIENT);
        expect(s.useEmbeddedEmulator).to.equal(false);
    });

    it("picks clientSecret from Terraform's ARM_* variables", () => {
        const s = resolveSettings(noConfig, { ARM_TENANT_ID: TENANT, ARM_CLIENT_ID: CLIENT, ARM_CLIENT_SECRET: "arm-secret-value" });
        expect(s.auth.method).to.equal("clientSecret");
        expect(s.tenantId).to.equal(TENANT);
    });

    it("picks clientCertificate from AZURE_CLIENT_CERTIFICATE_PATH (with its password)", () => {
        const s = resolveSettings(noConfig, { ...base, AZURE_CLIENT_CERTIFICATE_PATH: "/tmp/app.pem", AZURE_CLIENT_CERTIFICATE_PASSWORD: "pem-password" });
        expect(s.auth).to.deep.equal({
            method: "clientCertificate",
            certificate: undefined,
            certificatePath: "/tmp/app.pem",
            certificatePassword: "pem-password",
        });
    });

    it("picks workloadIdentity from AKS's AZURE_FEDERATED_TOKEN_FILE and AZURE_AUTHORITY_HOST", () => {
        const s = resolveSettings(noConfig, {
            ...base,
            AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
            AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com/",
        });
        expect(s.auth).to.deep.equal({ method: "workloadIdentity", tokenFilePath: "/var/run/secrets/azure/tokens/azure-identity-token" });
        expect(s.authorityHost).to.equal("https://login.microsoftonline.com");
        expect(s.disableInstanceDiscovery).to.equal(false);
    });

    it("picks githubOidc from the variables GitHub Actions sets with id-token: write", () => {
        const s = resolveSettings(noConfig, {
            ...base,
            ACTIONS_ID_TOKEN_REQUEST_URL: "https://pipelines.actions.githubusercontent.com/x/idtoken",
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: "runner-request-token",
        });
        expect(s.auth).to.deep.equal({
            method: "githubOidc",
            requestUrl: "https://pipelines.actions.githubusercontent.com/x/idtoken",
            requestToken: "runner-request-token",
            audience: "api://AzureADTokenExchange",
        });
    });

    it("does not pick githubOidc in a GitHub job that has no client id (nothing to federate with)", () => {
        const s = resolveSettings(noConfig, {
            AZURE_TENANT_ID: TENANT,
            ACTIONS_ID_TOKEN_REQUEST_URL: "https://x.example/idtoken",
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: "runner-request-token",
        });
        expect(s.auth.method).to.equal("default");
    });

    it("picks azurePipelines from the service connection id and SYSTEM_ACCESSTOKEN", () => {
        const s = resolveSettings(noConfig, { ...base, AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: "sc-1", SYSTEM_ACCESSTOKEN: "ado-system-token" });
        expect(s.auth).to.deep.equal({ method: "azurePipelines", serviceConnectionId: "sc-1", systemAccessToken: "ado-system-token" });
    });

    it("picks managedIdentity from ARM_USE_MSI, using the client id as the user-assigned identity", () => {
        const s = resolveSettings(noConfig, { ...base, ARM_USE_MSI: "true" });
        expect(s.auth).to.deep.equal({ method: "managedIdentity", managedIdentityClientId: CLIENT });
    });

    it("picks azureCli from ARM_USE_CLI", () => {
        expect(resolveSettings(noConfig, { ARM_USE_CLI: "true" }).auth).to.deep.equal({ method: "azureCli" });
    });

    it("picks accessToken from INTUNE_ACCESS_TOKEN, ahead of everything else", () => {
        const s = resolveSettings(noConfig, { ...base, AZURE_CLIENT_SECRET: "s3cr3t-value", INTUNE_ACCESS_TOKEN: "pre-acquired-token" });
        expect(s.auth).to.deep.equal({ method: "accessToken", accessToken: "pre-acquired-token" });
    });

    it("refuses to run with nothing configured, naming the sign-in settings and the emulator opt-in", () => {
        const err = settingsError(() => resolveSettings(noConfig, {}));
        expect(err.problems).to.have.length(1);
        expect(err.message).to.contain("no Intune tenant is configured");
        for (const named of ["`intune:tenantId`", "AZURE_TENANT_ID", "`intune:clientSecret`", "`intune:emulator`", "INTUNE_EMULATOR=true"]) {
            expect(err.message).to.contain(named);
        }
    });

    it("uses the embedded emulator only when asked: intune:emulator or INTUNE_EMULATOR", () => {
        expect(resolveSettings(noConfig, { INTUNE_EMULATOR: "true" }).useEmbeddedEmulator).to.equal(true);
        expect(resolveSettings((k) => (k === "intune:emulator" ? "true" : undefined), {}).useEmbeddedEmulator).to.equal(true);
        expect(resolveSettings(noConfig, { AZURE_TENANT_ID: TENANT }).useEmbeddedEmulator).to.equal(false);
        expect(resolveSettings(noConfig, { INTUNE_EMULATOR: "false", AZURE_TENANT_ID: TENANT }).useEmbeddedEmulator).to.equal(false);
        expect(settingsError(() => resolveSettings(noConfig, { INTUNE_EMULATOR: "false" })).message).to.contain("no Intune tenant is configured");
    });

    it("falls back to DefaultAzureCredential when a tenant is set without a sign-in method", () => {
        const s = resolveSettings(noConfig, { AZURE_TENANT_ID: TENANT });
        expect(s.auth.method).to.equal("default");
        expect(s.useEmbeddedEmulator).to.equal(false);
        expect(s.cloud.name).to.equal("global");
    });

    it("lets intune:* config win over the environment", () => {
        const s = resolveSettings((k) => (k === "intune:clientSecret" ? "from-config-secret" : k === "intune:tenantId" ? "config-tenant" : undefined), {
            ...base,
            AZURE_CLIENT_SECRET: "from-env-secret",
        });
        expect(s.auth).to.deep.equal({ method: "clientSecret", clientSecret: "from-config-secret" });
        expect(s.tenantId).to.equal("config-tenant");
        expect(s.clientId).to.equal(CLIENT);
    });

    it("honours intune:authMethod over detection", () => {
        const s = resolveSettings(noConfig, { ...base, AZURE_CLIENT_SECRET: "s3cr3t-value", INTUNE_AUTH_METHOD: "azureCli" });
        expect(s.auth.method).to.equal("azureCli");
    });

    it("reads limits, timeouts and debug from the environment", () => {
        const s = resolveSettings(noConfig, {
            AZURE_TENANT_ID: TENANT,
            INTUNE_WRITES_PER_WINDOW: "50",
            INTUNE_REQUESTS_PER_WINDOW: "500",
            INTUNE_THROTTLE_WINDOW_SECONDS: "2",
            INTUNE_REQUEST_TIMEOUT_SECONDS: "0.5",
            INTUNE_MAX_RETRY_SECONDS: "3",
            INTUNE_CONSISTENCY_TIMEOUT_SECONDS: "4",
            INTUNE_DEBUG: "1",
        });
        expect(s.limits).to.deep.equal({ writesPerWindow: 50, requestsPerWindow: 500, windowMs: 2000 });
        expect(s.requestTimeoutMs).to.equal(500);
        expect(s.maxRetryDurationMs).to.equal(3000);
        expect(s.consistencyTimeoutMs).to.equal(4000);
        expect(s.debug).to.equal(true);
    });

    it("defaults to Intune's real limits: 100 writes and 1000 requests per 20 s", () => {
        expect(resolveSettings(noConfig, { AZURE_TENANT_ID: TENANT }).limits).to.deep.equal({
            writesPerWindow: 100,
            requestsPerWindow: 1000,
            windowMs: 20_000,
        });
    });
});

describe("graph client settings: what is missing is named by config key and environment variable", () => {
    it("a client secret without tenant and client id names intune:tenantId/AZURE_TENANT_ID and intune:clientId/AZURE_CLIENT_ID", () => {
        const err = settingsError(() => resolveSettings(noConfig, { AZURE_CLIENT_SECRET: "s3cr3t-value" }));
        expect(err.message).to.contain("The intune provider is not configured correctly");
        expect(err.problems).to.have.length(2);
        expect(err.problems[0]).to.contain("intune:tenantId").and.contain("AZURE_TENANT_ID").and.contain("client secret");
        expect(err.problems[1]).to.contain("intune:clientId").and.contain("AZURE_CLIENT_ID");
    });

    it("a client certificate without tenant id names intune:tenantId and AZURE_TENANT_ID", () => {
        const err = settingsError(() => resolveSettings(noConfig, { AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_CERTIFICATE_PATH: "/tmp/app.pem" }));
        expect(err.message).to.contain("intune:tenantId").and.contain("AZURE_TENANT_ID").and.contain("client certificate");
    });

    it("a forced client certificate with no certificate names both the PEM key and the path key", () => {
        const err = settingsError(() =>
            resolveSettings(noConfig, { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, INTUNE_AUTH_METHOD: "clientCertificate" }),
        );
        expect(err.message).to.contain("intune:clientCertificate").and.contain("INTUNE_CLIENT_CERTIFICATE");
        expect(err.message).to.contain("intune:clientCertificatePath").and.contain("AZURE_CLIENT_CERTIFICATE_PATH");
    });

    it("a federated token file without tenant id names intune:tenantId and AZURE_TENANT_ID", () => {
        const err = settingsError(() => resolveSettings(noConfig, { AZURE_CLIENT_ID: CLIENT, AZURE_FEDERATED_TOKEN_FILE: "/tmp/token" }));
        expect(err.message).to.contain("workload identity").and.contain("intune:tenantId").and.contain("AZURE_TENANT_ID");
    });

    it("a forced GitHub OIDC sign-in outside GitHub names intune:oidcRequestUrl/ACTIONS_ID_TOKEN_REQUEST_URL and the request token", () => {
        const err = settingsError(() => resolveSettings(noConfig, { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, INTUNE_AUTH_METHOD: "githubOidc" }));
        expect(err.message).to.contain("intune:oidcRequestUrl").and.contain("ACTIONS_ID_TOKEN_REQUEST_URL");
        expect(err.message).to.contain("intune:oidcRequestToken").and.contain("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    });

    it("an unknown intune:authMethod lists the methods", () => {
        const err = settingsError(() => resolveSettings(noConfig, { INTUNE_AUTH_METHOD: "password" }));
        expect(err.message).to.contain("intune:authMethod").and.contain("INTUNE_AUTH_METHOD").and.contain('"password"');
        expect(err.message).to.contain("clientSecret, clientCertificate, workloadIdentity, githubOidc");
    });

    it("a non-https Graph endpoint, a bad number, a bad boolean and an unreadable CA file are all reported at once", () => {
        const err = settingsError(() =>
            settingsFrom({ graphEndpoint: "http://127.0.0.1:8080", writesPerWindow: "lots", debug: "maybe", caCertificatePath: "/nonexistent/ca.pem" }),
        );
        expect(err.problems).to.have.length(4);
        expect(err.message).to.contain("`intune:graphEndpoint` or INTUNE_GRAPH_ENDPOINT must be an https:// URL");
        expect(err.message).to.contain('`intune:writesPerWindow` or INTUNE_WRITES_PER_WINDOW must be a positive number, not "lots"');
        expect(err.message).to.contain("`intune:debug` or INTUNE_DEBUG must be true or false");
        expect(err.message).to.contain('`intune:caCertificatePath` or INTUNE_CA_CERTIFICATE_PATH: cannot read "/nonexistent/ca.pem" (ENOENT)');
    });

    it("backs every config key with at least one environment variable", () => {
        for (const s of SETTING_KEYS) expect(s.env.length, s.key).to.be.greaterThan(0);
    });
});

describe("graph client settings: national clouds", () => {
    const expected = {
        global: ["https://graph.microsoft.com", "https://login.microsoftonline.com", "https://graph.microsoft.com/.default"],
        usgovL4: ["https://graph.microsoft.us", "https://login.microsoftonline.us", "https://graph.microsoft.us/.default"],
        usgovL5: ["https://dod-graph.microsoft.us", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us/.default"],
        china: ["https://microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/.default"],
    } as const;

    for (const [name, [graphRoot, authorityHost, scope]] of Object.entries(expected)) {
        it(`maps ${name} to ${graphRoot}, ${authorityHost} and ${scope}`, () => {
            const s = settingsFrom({ cloud: name, tenantId: TENANT });
            expect(s.cloud.name).to.equal(name);
            expect(s.graphRoot).to.equal(graphRoot);
            expect(s.authorityHost).to.equal(authorityHost);
            expect(s.scope).to.equal(scope);
            expect(s.disableInstanceDiscovery, "Microsoft's own authority keeps instance discovery").to.equal(false);
        });
    }

    const aliases: [string, keyof typeof expected][] = [
        ["AzureCloud", "global"],
        ["AzurePublicCloud", "global"],
        ["public", "global"],
        ["AzureUSGovernment", "usgovL4"],
        ["GCCHigh", "usgovL4"],
        ["GCC High", "usgovL4"],
        ["usgov", "usgovL4"],
        ["usgovernment", "usgovL4"],
        ["DoD", "usgovL5"],
        ["usgov-dod", "usgovL5"],
        ["USGOVL5", "usgovL5"],
        ["AzureChinaCloud", "china"],
        ["21Vianet", "china"],
    ];
    for (const [alias, name] of aliases) {
        it(`accepts "${alias}" as ${name}`, () => {
            expect(cloudByName(alias)?.name).to.equal(name);
            expect(settingsFrom({ cloud: alias, tenantId: TENANT }).graphRoot).to.equal(CLOUDS[name].graphRoot);
        });
    }

    it("reads the cloud from Terraform's ARM_ENVIRONMENT", () => {
        const s = resolveSettings(noConfig, { ARM_TENANT_ID: TENANT, ARM_ENVIRONMENT: "usgovernment" });
        expect(s.cloud.name).to.equal("usgovL4");
        expect(s.scope).to.equal("https://graph.microsoft.us/.default");
        expect(resolveSettings(noConfig, { ARM_TENANT_ID: TENANT, ARM_ENVIRONMENT: "china" }).cloud.name).to.equal("china");
    });

    it("intune:graphEndpoint overrides the Graph root but keeps the cloud's scope and authority", () => {
        const s = settingsFrom({ cloud: "usgovL5", graphEndpoint: "https://127.0.0.1:8443/" });
        expect(s.graphRoot).to.equal("https://127.0.0.1:8443");
        expect(s.scope).to.equal("https://dod-graph.microsoft.us/.default");
        expect(s.authorityHost).to.equal("https://login.microsoftonline.us");
    });

    it("an authority host that is not Microsoft's turns instance discovery off", () => {
        const s = settingsFrom({ authorityHost: "https://127.0.0.1:8443", tenantId: TENANT });
        expect(s.authorityHost).to.equal("https://127.0.0.1:8443");
        expect(s.disableInstanceDiscovery).to.equal(true);
    });

    it("marks AOSP as unsupported only in China", () => {
        expect(
            Object.values(CLOUDS)
                .filter((c) => !c.supportsAosp)
                .map((c) => c.name),
        ).to.deep.equal(["china"]);
    });

    it("an unknown cloud is a SettingsError that lists the valid names", () => {
        const err = settingsError(() => settingsFrom({ cloud: "AzureGermanCloud" }));
        expect(err.message).to.contain("`intune:cloud` or INTUNE_CLOUD").and.contain('"AzureGermanCloud" is not a cloud');
        expect(err.message).to.contain("global, usgovL4, usgovL5 or china");
        expect(err.message).to.contain("gcchigh").and.contain("azureusgovernment").and.contain("dod").and.contain("azurechinacloud");
    });
});

describe("settings: a misspelt key or variable is named, never ignored", () => {
    const base = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT };

    it("refuses an intune:* key the provider does not read, naming the key it probably meant", () => {
        // The secret under a misspelt key: without the check the run would sign in with DefaultAzureCredential.
        const config: Record<string, string> = { "intune:tenantId": TENANT, "intune:clientId": CLIENT, "intune:clientSecert": "s3cr3t-value" };
        const err = settingsError(() => resolveSettings((k) => config[k], {}, Object.keys(config)));
        expect(err.problems).to.deep.equal([
            "`intune:clientSecert` is not a setting of this provider; did you mean `intune:clientSecret`? (`pulumi config rm intune:clientSecert`)",
        ]);
        expect(err.message).to.not.contain("s3cr3t-value");
    });

    it("names the nearest key whatever the letter case or a swap of two letters", () => {
        const problems = (keys: string[]): string[] => unknownConfigKeys(keys);
        expect(problems(["intune:TENANTID"])[0]).to.contain("did you mean `intune:tenantId`?");
        expect(problems(["intune:tenatnId"])[0]).to.contain("did you mean `intune:tenantId`?");
        expect(problems(["intune:emulater"])[0]).to.contain("did you mean `intune:emulator`?");
        expect(problems(["intune:writesPerWindows"])[0]).to.contain("did you mean `intune:writesPerWindow`?");
    });

    it("judges only intune:* keys, and takes every key the provider reads", () => {
        const declared = ["aws:region", "my-project:owner", ...SETTING_KEYS.map((s) => `intune:${s.key}`)];
        expect(unknownConfigKeys(declared)).to.deep.equal([]);
        expect(() => resolveSettings(noConfig, { ...base, AZURE_CLIENT_SECRET: "x" }, ["aws:region"])).to.not.throw();
    });

    it("reports every unknown key at once, beside the other problems", () => {
        const config: Record<string, string> = { "intune:cloud": "mars", "intune:debugg": "true", "intune:tenantID": TENANT };
        const err = settingsError(() => resolveSettings((k) => config[k], {}, Object.keys(config)));
        expect(err.problems.filter((p) => p.includes("is not a setting"))).to.have.length(2);
        expect(err.problems.some((p) => p.includes('"mars" is not a cloud'))).to.equal(true);
    });

    it("warns about an INTUNE_* variable the package does not read, naming the nearest, and not about the ones it reads", () => {
        expect(unknownEnvironmentVariables({ INTUNE_DEBUGG: "true", INTUNE_DEBUG: "true", AZURE_TENANT_ID: TENANT, PATH: "/bin" })).to.deep.equal([
            "the environment variable INTUNE_DEBUGG is not read by the intune provider; did you mean INTUNE_DEBUG?",
        ]);
        const known = Object.fromEntries(
            [...SETTING_KEYS.flatMap((s) => s.env), ...OTHER_ENVIRONMENT_VARIABLES.map((v) => v.name)]
                .filter((n) => n.startsWith("INTUNE_"))
                .map((n) => [n, "x"]),
        );
        expect(unknownEnvironmentVariables(known)).to.deep.equal([]);
        expect(unknownEnvironmentVariables({ INTUNE_EMULATR: "true" })[0]).to.contain("did you mean INTUNE_EMULATOR?");
    });
});

describe("settings: the dynamic-provider host's configuration", () => {
    afterEach(() => resetConfiguration());

    it("lists the host's stack config, so a misspelt key fails every operation before any request", async () => {
        // The host's config object keeps the stack config as rawConfig and answers get() from it.
        const rawConfig: Record<string, string> = {
            "intune:tenantId": TENANT,
            "intune:clientId": CLIENT,
            "intune:clientSecret": "s3cr3t-value",
            "intune:grapEndpoint": "https://127.0.0.1:1",
            "my-project:owner": "it",
        };
        configure({ get: (key: string) => rawConfig[key], rawConfig } as ConfigReader);
        const err = await providerSettings().then(
            () => expect.fail("the settings were accepted"),
            (e: unknown) => e as SettingsError,
        );
        expect(err).to.be.instanceOf(SettingsError);
        expect(err.problems).to.deep.equal([
            "`intune:grapEndpoint` is not a setting of this provider; did you mean `intune:graphEndpoint`? (`pulumi config rm intune:grapEndpoint`)",
        ]);
    });
});
