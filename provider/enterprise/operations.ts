import { providerSettings } from "../runtime/configuration";
import { engineLog } from "../runtime/engineLog";
import { placeNow } from "../profiles/binding";
import { profileContext } from "../profiles/context";
import { CheckFailure } from "../profiles/kind";
import { Props } from "../profiles/model";
import { explainStoredSettings, programIsRunning } from "../profiles/storedSettings";
import {
    checkEnrollmentSettings,
    createEnrollmentSettings,
    deleteEnrollmentSettings,
    diffEnrollmentSettings,
    ENROLLMENT_SETTINGS_ID,
    EnrollmentSettingsError,
    EnrollmentSettingsRun,
    readEnrollmentSettings,
    updateEnrollmentSettings,
} from "./enrollmentSettings";

/**
 * AndroidEnterpriseEnrollmentSettings' lifecycle as both front doors serve it (profiles/operations.ts does the same
 * for the profile types): this process's settings, the tenant binding, warnings on the resource.
 */

async function runFor(what: string, urn: string | undefined): Promise<EnrollmentSettingsRun> {
    const ctx = profileContext(await providerSettings());
    const place = placeNow(await ctx.client.tenantId({ description: what, kind: "read" }), ctx.settings.graphRoot, ctx.settings.tenantId);
    return { ctx, place, warn: (message) => engineLog("warning", message, urn) };
}

export async function check(news: Props, urn: string | undefined): Promise<{ inputs: Props; failures: CheckFailure[] }> {
    programIsRunning();
    return checkEnrollmentSettings(profileContext(await providerSettings()), news, urn ?? "");
}

export async function diff(olds: Props, news: Props): Promise<{ changes: boolean; replaces: string[]; updates: string[] }> {
    programIsRunning();
    const { changes, replaces } = diffEnrollmentSettings(olds, news);
    return { changes, replaces, updates: changes ? ["fullyManagedEnrollmentEnabled"] : [] };
}

export async function create(inputs: Props, urn: string | undefined): Promise<{ id: string; outs: Props }> {
    return createEnrollmentSettings(await runFor("Taking over the tenant's Android Enterprise settings", urn), inputs);
}

export async function read(props: Props): Promise<{ id: string; props: Props; inputs: Props }> {
    try {
        return await readEnrollmentSettings(await runFor("Refreshing the tenant's Android Enterprise settings", undefined), props);
    } catch (err) {
        throw explainStoredSettings(err);
    }
}

/**
 * `pulumi import` of the tenant's one switch, by its Graph name: taken over as it is, and recorded as found, so a
 * later destroy leaves it so.
 */
export async function importSettings(id: string): Promise<{ id: string; props: Props; inputs: Props }> {
    if (id !== ENROLLMENT_SETTINGS_ID) {
        throw new EnrollmentSettingsError(
            `Importing the tenant's Android Enterprise settings failed: the tenant has one, with the id ${ENROLLMENT_SETTINGS_ID}, not "${id}"`,
        );
    }
    const taken = await read({});
    return { ...taken, props: { ...taken.props, foundFullyManagedEnrollmentEnabled: taken.props.fullyManagedEnrollmentEnabled } };
}

export async function update(olds: Props, news: Props, urn: string | undefined): Promise<{ outs: Props }> {
    return { outs: await updateEnrollmentSettings(await runFor("Updating the tenant's Android Enterprise settings", urn), olds, news) };
}

export async function remove(props: Props): Promise<void> {
    try {
        await deleteEnrollmentSettings(await runFor("Deleting AndroidEnterpriseEnrollmentSettings", undefined), props);
    } catch (err) {
        throw explainStoredSettings(err);
    }
}
