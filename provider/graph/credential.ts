import type { AccessToken, TokenCredential } from "@azure/core-auth";
import {
    AzureCliCredential,
    AzurePipelinesCredential,
    ClientAssertionCredential,
    ClientCertificateCredential,
    ClientSecretCredential,
    DefaultAzureCredential,
    ManagedIdentityCredential,
    WorkloadIdentityCredential,
} from "@azure/identity";
import { rootCertificates } from "node:tls";
import { Agent } from "node:https";
import axios from "axios";
import { rememberSecret } from "./secrets";
import { trustingAlso } from "./trust";
import { ProviderSettings } from "../runtime/settings";

/**
 * The @azure/identity credential for the configured sign-in method. Every method is one of the library's own
 * credentials; the only thing written here is the glue each needs (the GitHub OIDC fetch is the documented
 * getAssertion callback of ClientAssertionCredential, and a pre-acquired token is returned as it is).
 */
export function createCredential(settings: ProviderSettings): TokenCredential {
    const { tenantId, clientId, auth } = settings;
    // The library spreads its TLS settings into its https.Agent: the shared context saves it parsing every root
    // certificate again for each sign-in connection; `ca` stays for a version that passes on only the documented ones.
    const tlsOptions = settings.caCertificate
        ? { ca: [...rootCertificates, settings.caCertificate], secureContext: trustingAlso(settings.caCertificate) }
        : undefined;
    const common = {
        authorityHost: settings.authorityHost,
        disableInstanceDiscovery: settings.disableInstanceDiscovery,
        ...(tlsOptions ? { tlsOptions } : {}),
    };
    switch (auth.method) {
        case "clientSecret":
            return new ClientSecretCredential(tenantId!, clientId!, auth.clientSecret, common);
        case "clientCertificate":
            return auth.certificate
                ? new ClientCertificateCredential(
                      tenantId!,
                      clientId!,
                      { certificate: auth.certificate, certificatePassword: auth.certificatePassword },
                      common,
                  )
                : new ClientCertificateCredential(
                      tenantId!,
                      clientId!,
                      { certificatePath: auth.certificatePath!, certificatePassword: auth.certificatePassword },
                      common,
                  );
        case "workloadIdentity":
            return new WorkloadIdentityCredential({ ...common, tenantId, clientId, tokenFilePath: auth.tokenFilePath });
        case "githubOidc":
            return new ClientAssertionCredential(
                tenantId!,
                clientId!,
                () => fetchGithubOidcToken(settings, auth.requestUrl, auth.requestToken, auth.audience),
                common,
            );
        case "azurePipelines":
            return new AzurePipelinesCredential(tenantId!, clientId!, auth.serviceConnectionId, auth.systemAccessToken, common);
        case "managedIdentity":
            return auth.managedIdentityClientId ? new ManagedIdentityCredential({ clientId: auth.managedIdentityClientId }) : new ManagedIdentityCredential();
        case "azureCli":
            return new AzureCliCredential({ tenantId });
        case "accessToken":
            return staticToken(auth.accessToken);
        case "default":
            return new DefaultAzureCredential({ ...common, tenantId, managedIdentityClientId: auth.managedIdentityClientId });
    }
}

/** Inside a GitHub Actions job with `id-token: write`: ask the runner for an OIDC token to present to Entra ID. */
async function fetchGithubOidcToken(settings: ProviderSettings, requestUrl: string, requestToken: string, audience: string): Promise<string> {
    const url = new URL(requestUrl);
    url.searchParams.set("audience", audience);
    const res = await axios.get<unknown>(url.toString(), {
        headers: { Authorization: `Bearer ${requestToken}`, Accept: "application/json" },
        httpsAgent: settings.caCertificate ? new Agent({ ca: [...rootCertificates, settings.caCertificate] }) : undefined,
        timeout: settings.requestTimeoutMs,
        validateStatus: () => true,
    });
    const value = (res.data as { value?: unknown } | undefined)?.value;
    if (res.status !== 200 || typeof value !== "string") {
        throw new Error(`The GitHub Actions OIDC endpoint answered ${res.status}: does the job have "permissions: id-token: write"?`);
    }
    rememberSecret(value);
    return value;
}

/** A token someone else acquired. Its expiry comes from its `exp` claim, so a stale one is reported, not sent. */
function staticToken(token: string): TokenCredential {
    let expiresOnTimestamp = Date.now() + 3600_000;
    try {
        const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { exp?: unknown };
        if (typeof claims.exp === "number") expiresOnTimestamp = claims.exp * 1000;
    } catch {
        /* opaque token: trust it for an hour */
    }
    return {
        getToken: async (): Promise<AccessToken> => {
            if (expiresOnTimestamp <= Date.now()) {
                throw new Error("The access token in intune:accessToken / INTUNE_ACCESS_TOKEN has expired; acquire a new one (it cannot be refreshed).");
            }
            return { token, expiresOnTimestamp };
        },
    };
}
