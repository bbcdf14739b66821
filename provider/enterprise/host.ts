import { providerSettings } from "../runtime/configuration";
import { engineLog } from "../runtime/engineLog";
import { placeNow } from "../profiles/binding";
import { profileContext } from "../profiles/crud";
import { Props, RESOURCE_URN } from "../profiles/model";
import { explainStoredSettings, programIsRunning } from "../profiles/storedSettings";
import {
    checkEnrollmentSettings,
    createEnrollmentSettings,
    deleteEnrollmentSettings,
    diffEnrollmentSettings,
    EnrollmentSettingsRun,
    readEnrollmentSettings,
    updateEnrollmentSettings,
} from "./enrollmentSettings";

/** What the dynamic-provider host calls for AndroidEnterpriseEnrollmentSettings (the profile types' host.ts does the same for theirs). */

async function runFor(props: Props, what: string): Promise<EnrollmentSettingsRun> {
    const ctx = profileContext(await providerSettings());
    const place = placeNow(await ctx.client.tenantId({ description: what, kind: "read" }), ctx.settings.graphRoot);
    const urn = typeof props[RESOURCE_URN] === "string" ? props[RESOURCE_URN] : undefined;
    return { ctx, place, warn: (message) => engineLog("warning", message, urn) };
}

export async function check(olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    programIsRunning();
    void olds;
    const { inputs, failures } = checkEnrollmentSettings(profileContext(await providerSettings()), news);
    const urn = typeof news[RESOURCE_URN] === "string" ? { [RESOURCE_URN]: news[RESOURCE_URN] } : {};
    return { inputs: { ...inputs, ...urn, __provider: news.__provider }, failures };
}

export async function diff(olds: Props, news: Props): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
    programIsRunning();
    return { ...diffEnrollmentSettings(olds, news), deleteBeforeReplace: false };
}

export async function create(inputs: Props): Promise<{ id: string; outs: Props }> {
    return createEnrollmentSettings(await runFor(inputs, "Taking over the tenant's Android Enterprise settings"), inputs);
}

export async function read(id: string, props: Props): Promise<{ id: string; props: Props; inputs: Props }> {
    void id;
    try {
        return await readEnrollmentSettings(await runFor(props, "Refreshing the tenant's Android Enterprise settings"), props);
    } catch (err) {
        throw explainStoredSettings(err);
    }
}

export async function update(id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
    void id;
    return { outs: await updateEnrollmentSettings(await runFor(news, "Updating the tenant's Android Enterprise settings"), olds, news) };
}

export async function remove(id: string, props: Props): Promise<void> {
    void id;
    try {
        await deleteEnrollmentSettings(await runFor(props, "Deleting AndroidEnterpriseEnrollmentSettings"), props);
    } catch (err) {
        throw explainStoredSettings(err);
    }
}
