/** Telling which Entra ID tenant a setting or an access token names. */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a tenant is named by its id rather than by one of its domains (contoso.onmicrosoft.com). */
export const isTenantId = (tenant: string): boolean => GUID.test(tenant);

/** The `tid` claim of a JWT access token; undefined for an opaque token. */
export function tenantOfToken(token: string): string | undefined {
    try {
        const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { tid?: unknown };
        return typeof claims.tid === "string" && claims.tid !== "" ? claims.tid : undefined;
    } catch {
        return undefined;
    }
}
