import { readEnterpriseSettings, settingsSummary } from "../enterprise/settings";
import { profileContext } from "../profiles/context";
import { ProfileError } from "../profiles/errors";
import { KINDS } from "../profiles/kinds";
import { lookupProfile } from "../profiles/lookups";
import { Props } from "../profiles/model";
import { providerSettings } from "../runtime/configuration";
import { SCHEMA_MODULE } from "../typeTokens";

/**
 * The schema's functions (`intune:index:get…`): the same lookups the TypeScript API offers, on this process's
 * provider settings. `secret`: the results to return secret.
 */
export async function invoke(token: string, args: Props): Promise<{ result: Props; secret: readonly string[] }> {
    const ctx = profileContext(await providerSettings());
    if (token === `${SCHEMA_MODULE}:getAndroidEnterpriseSettings`) {
        const settings = await readEnterpriseSettings(ctx.client, { description: "Looking up the tenant's Android Enterprise settings", kind: "read" });
        return { result: { ...settingsSummary(settings) }, secret: [] };
    }
    const kind = Object.values(KINDS).find((k) => token === `${SCHEMA_MODULE}:get${k.typeName}`);
    if (!kind) throw new ProfileError(`${token} is not a function of the intune provider`);
    const lookup = { id: typeof args.id === "string" ? args.id : undefined, displayName: typeof args.displayName === "string" ? args.displayName : undefined };
    return { result: await lookupProfile(kind, ctx, lookup), secret: kind.secrets };
}
