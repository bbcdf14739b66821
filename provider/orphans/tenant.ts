import { GraphClient } from "../graph/client";
import { Operation } from "../graph/errors";
import { decodeEntity, revokeBeforeDelete } from "../profiles/crud";
import { kindNamed } from "../profiles/kinds";
import { expiryMs } from "../profiles/token";
import { TenantProfile } from "./compare";

/**
 * The tenant side of the comparison, through the provider's own Graph client (same sign-in, retries and budget).
 * Lists select no token field: the command never needs a token value, so none is ever fetched.
 */

const read = (description: string): Operation => ({ description, kind: "read" });
const write = (description: string): Operation => ({ description, kind: "write" });

export async function listTenantProfiles(client: GraphClient, kindNames: readonly string[]): Promise<TenantProfile[]> {
    const profiles: TenantProfile[] = [];
    for (const name of kindNames) {
        const kind = kindNamed(name);
        const select = [
            "id",
            "displayName",
            "createdDateTime",
            "tokenExpirationDateTime",
            ...["enrollmentMode", "enrollmentTokenType"].filter((k) => kind.select.includes(k)),
        ];
        const operation = read(`Listing ${kind.label}s`);
        const items = await client.list(operation, kind.collectionPath, { $select: select.join(",") });
        const now = client.serviceNow(); // after the list: its answers taught the client the service's clock
        for (const item of items) {
            const entity = decodeEntity(kind, item, operation);
            profiles.push({
                kind: kind.name,
                id: entity.id,
                displayName: typeof entity.displayName === "string" ? entity.displayName : "",
                createdDateTime: typeof entity.createdDateTime === "string" ? entity.createdDateTime : undefined,
                manageable: kind.manageable(entity),
                // A list never shows tokenValue, so the expiry tells: a profile without a token reads the minimum
                // date (the property is non-nullable), and a token past its expiry enrolls nothing and needs no
                // revoke. A token that never expires may show no expiry at all (graph-api.md).
                tokenIssued: (expiryMs(entity.tokenExpirationDateTime) ?? -Infinity) > now || !kind.tokenRules(entity).expires,
                tokenRuleInputs: { enrollmentMode: entity.enrollmentMode, enrollmentTokenType: entity.enrollmentTokenType ?? undefined },
            });
        }
    }
    return profiles;
}

/**
 * Revokes the profile's token, then deletes the profile: devices must not enroll with a token that outlives the
 * profile a moment longer than needed, and a profile whose revocation failed is left in place, token known.
 */
export async function deleteOrphan(client: GraphClient, profile: TenantProfile): Promise<"deleted" | "absent"> {
    const kind = kindNamed(profile.kind);
    const path = `${kind.collectionPath}/${encodeURIComponent(profile.id)}`;
    const what = `${kind.label} "${profile.displayName}" (${profile.id})`;
    if (profile.tokenIssued) {
        const revoked = await revokeBeforeDelete(kind, client, profile.id, profile.tokenRuleInputs ?? {}, write(`Revoking the enrollment token of ${what}`));
        if (revoked === "absent") return "absent";
    }
    return client.delete(write(`Deleting ${what}`), path);
}
