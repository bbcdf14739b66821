import * as t from "io-ts";
import { ConsistencyTimeout, waitUntilVisible } from "../graph/consistency";
import { GraphRequestError, Operation, ReportedError } from "../graph/errors";
import { BINDING_OUTPUTS, judgePlace, parseMoveFrom, Place, recordedPlace, withPlace } from "../profiles/binding";
import type { ProfileContext } from "../profiles/context";
import { Props, UNKNOWN } from "../profiles/model";
import { CheckFailure } from "../profiles/kind";
import { settingsChanged, switchDeclaredOn } from "../profiles/readiness";
import { property, Property } from "../profiles/properties";
import { ENROLLMENT_SETTINGS_TYPE_NAME } from "./names";
import { EnterpriseSettings, isBound, readEnterpriseSettings, setFullyManagedEnrollment } from "./settings";

/**
 * AndroidEnterpriseEnrollmentSettings: the tenant's switch for corporate-owned user enrollment ("allow users to
 * enroll corporate-owned user devices", which fully managed and corporate-owned work profile devices need) declared
 * as code, beside the profiles that need it. It is a tenant-wide singleton, so:
 * - creating the resource takes the switch over as it is found, and records that value; destroying it puts the
 *   switch back to it (unless someone else changed the switch since, which is then left alone and said);
 * - two declarations in one program are refused at check, and a change made outside the stack (the portal, another
 *   stack that declares it too) is reported by refresh and by the next update rather than quietly undone.
 *
 * Graph calls: GET …/androidManagedStoreAccountEnterpriseSettings (every operation);
 * POST …/setAndroidDeviceOwnerFullyManagedEnrollmentState {"enabled"} (create, update, delete when it changes).
 */

/** What the resource is, in a sentence: the schema's and the reference's description of the type. */
export const ENROLLMENT_SETTINGS_DESCRIPTION =
    'The tenant\'s switch for corporate-owned user enrollment ("allow users to enroll corporate-owned user devices"), which fully managed and corporate-owned work profile devices need. A tenant-wide singleton: creating it takes the switch over as found; destroying it puts the switch back as found.';

/** The resource's id: the tenant has one such object, and Graph calls it by this name. */
export const ENROLLMENT_SETTINGS_ID = "androidManagedStoreAccountEnterpriseSettings";

/** The resource's properties: the one place each is described (its JSDoc is what the IDE and the docs show). */
export const ENROLLMENT_SETTINGS_PROPERTIES = {
    /** Allow users to enroll corporate-owned user devices: what fully managed and corporate-owned work profile enrollment need. */
    fullyManagedEnrollmentEnabled: property({
        input: t.boolean,
        required: true,
        output: true,
        docs: { type: "boolean, required", onChange: "in place" },
    }),
    /** The switch as this stack found it when it took it over: `pulumi destroy` puts it back to this value. */
    foundFullyManagedEnrollmentEnabled: property({ entity: t.boolean, output: true }),
    /** The tenant's binding to managed Google Play (notBound, bound, boundAndValidated, unbinding): every mode but AOSP needs it bound. */
    bindStatus: property({ entity: t.string, output: true }),
    /** The organisation the managed Google Play account belongs to. */
    ownerOrganizationName: property({ entity: t.string, output: true }),
    /** Which users may enroll personally-owned work profile devices (none, all, targeted, targetedAsEnrollmentRestrictions). */
    enrollmentTarget: property({ entity: t.string, output: true }),
};

const PROPERTY_ENTRIES = Object.entries(ENROLLMENT_SETTINGS_PROPERTIES) as [string, Property][];
const INPUT_KEYS = PROPERTY_ENTRIES.filter(([, p]) => p.input !== undefined).map(([key]) => key);
/** Output-only properties and the place: check passes them over rather than refusing them as unknown. */
export const ENROLLMENT_SETTINGS_OUTPUT_KEYS = [
    ...PROPERTY_ENTRIES.filter(([, p]) => p.input === undefined).map(([key]) => key),
    ...Object.keys(BINDING_OUTPUTS),
];

export class EnrollmentSettingsError extends ReportedError {
    constructor(message: string) {
        super(message);
        this.name = "EnrollmentSettingsError";
    }
}

const LABEL = "the tenant's Android Enterprise settings";
const read = (d: string): Operation => ({ description: `${d} ${LABEL}`, kind: "read" });
const write = (d: string): Operation => ({ description: `${d} ${LABEL}`, kind: "write" });

/** The resources of this type each run declares, per run: the tenant has one switch, a program may declare it once. */
const declaredIn = new WeakMap<ProfileContext, string>();

/** `urn`: the resource's URN (a program may declare the switch once; an empty string where the engine tells none). */
export function checkEnrollmentSettings(ctx: ProfileContext, news: Props, urn: string): { inputs: Props; failures: CheckFailure[] } {
    const failures: CheckFailure[] = [];
    const inputs: Props = {};
    for (const [key, value] of Object.entries(news)) {
        if (value === undefined || value === null) continue;
        if (INPUT_KEYS.includes(key)) inputs[key] = value;
        else if (!ENROLLMENT_SETTINGS_OUTPUT_KEYS.includes(key))
            failures.push({ property: key, reason: `is not a property of ${ENROLLMENT_SETTINGS_TYPE_NAME}; known properties: ${INPUT_KEYS.join(", ")}` });
    }
    const enabled = inputs.fullyManagedEnrollmentEnabled;
    if (enabled === undefined) failures.push({ property: "fullyManagedEnrollmentEnabled", reason: "is required (true or false)" });
    else if (enabled !== UNKNOWN && typeof enabled !== "boolean") {
        failures.push({ property: "fullyManagedEnrollmentEnabled", reason: `must be true or false, got ${JSON.stringify(enabled)}` });
    }
    const other = declaredIn.get(ctx);
    if (other !== undefined && other !== urn) {
        failures.push({
            property: "fullyManagedEnrollmentEnabled",
            reason: `${ENROLLMENT_SETTINGS_TYPE_NAME} is one switch for the whole tenant, and this program already declares it (${other}): declare it once`,
        });
    } else declaredIn.set(ctx, urn);
    if (enabled === true) switchDeclaredOn(ctx);
    return { inputs, failures };
}

export function diffEnrollmentSettings(olds: Props, news: Props): { changes: boolean; replaces: string[] } {
    const wanted = news.fullyManagedEnrollmentEnabled;
    return { changes: wanted === UNKNOWN || wanted !== olds.fullyManagedEnrollmentEnabled, replaces: [] };
}

const PERMISSION_ADVICE =
    "changing the switch needs the Microsoft Graph permission DeviceManagementConfiguration.ReadWrite.All and an Intune role that may change Android enrollment settings";

/** What to do in a tenant not bound to managed Google Play, which the switch needs. */
const bindingAdvice = (settings: EnterpriseSettings): string =>
    `the tenant is not bound to managed Google Play (bindStatus ${settings.bindStatus ?? "unknown"}), and corporate-owned user enrollment needs it: connect it in the Intune admin center (Devices > Android > Android enrollment > Managed Google Play), then run again`;

/**
 * The failure of a call to the switch's action, in words that say what to do; judged by its status and the
 * tenant's binding, never its text. How an unbound tenant refuses is unconfirmed, so any refusal there says so.
 */
function actionFailure(err: unknown, settings: EnterpriseSettings, what: string): unknown {
    if (!(err instanceof GraphRequestError)) return err;
    const permission = err.status === 401 || err.status === 403;
    if (!isBound(settings) && (err.isRefusal || permission)) {
        const orPermission = permission ? `; if it is bound, ${PERMISSION_ADVICE}` : "";
        return new EnrollmentSettingsError(`${what} refused (${err.status}): ${bindingAdvice(settings)}${orPermission}; nothing was changed (${err.message})`);
    }
    if (permission) return new EnrollmentSettingsError(`${what} refused (${err.status}): ${PERMISSION_ADVICE}; nothing was changed (${err.message})`);
    return err;
}

async function readSettings(ctx: ProfileContext, what: string): Promise<EnterpriseSettings> {
    try {
        return await readEnterpriseSettings(ctx.client, read(what));
    } catch (err) {
        if (err instanceof GraphRequestError && (err.status === 401 || err.status === 403)) {
            throw new EnrollmentSettingsError(
                `${what} ${LABEL} refused (${err.status}): managing the switch needs the Microsoft Graph permission DeviceManagementConfiguration.ReadWrite.All (reading it, .Read.All) and an Intune role that covers Android enrollment settings (${err.message})`,
            );
        }
        throw err;
    }
}

/** Sets the switch and waits until a read shows it; the settings as they then are. */
async function applySwitch(ctx: ProfileContext, current: EnterpriseSettings, enabled: boolean, what: string): Promise<EnterpriseSettings> {
    const operation = write(what);
    try {
        await setFullyManagedEnrollment(ctx.client, operation, enabled);
    } catch (err) {
        throw actionFailure(err, current, operation.description);
    }
    const after = await waitUntilVisible(
        () => readSettings(ctx, "Reading"),
        (s) => s.androidDeviceOwnerFullyManagedEnrollmentEnabled === enabled,
        { timeoutMs: ctx.settings.consistencyTimeoutMs, what: `${LABEL} to show corporate-owned user enrollment ${enabled ? "on" : "off"}` },
    ).catch((err: unknown) => {
        // An unbound tenant may take the action and change nothing: waiting longer would not help.
        if (err instanceof ConsistencyTimeout && !isBound(current)) {
            const seconds = Math.round(ctx.settings.consistencyTimeoutMs / 1000);
            throw new EnrollmentSettingsError(
                `${operation.description} failed: Intune took the change but did not show it within ${seconds} s; ${bindingAdvice(current)}`,
            );
        }
        throw err;
    });
    settingsChanged(ctx, after);
    return after;
}

function outputsOf(settings: EnterpriseSettings, found: unknown, place: Place): Props {
    return withPlace(
        {
            fullyManagedEnrollmentEnabled: settings.androidDeviceOwnerFullyManagedEnrollmentEnabled ?? null,
            foundFullyManagedEnrollmentEnabled: typeof found === "boolean" ? found : null,
            bindStatus: settings.bindStatus ?? null,
            ownerOrganizationName: settings.ownerOrganizationName ?? null,
            enrollmentTarget: settings.enrollmentTarget ?? null,
        },
        place,
    );
}

export interface EnrollmentSettingsRun {
    ctx: ProfileContext;
    place: Place;
    /** Tells the person running Pulumi something the operation did or found (a warning on the resource). */
    warn(message: string): Promise<void>;
}

export async function createEnrollmentSettings(run: EnrollmentSettingsRun, inputs: Props): Promise<{ id: string; outs: Props }> {
    const enabled = inputs.fullyManagedEnrollmentEnabled === true;
    const found = await readSettings(run.ctx, "Reading");
    const before = found.androidDeviceOwnerFullyManagedEnrollmentEnabled;
    const now = before === enabled ? found : await applySwitch(run.ctx, found, enabled, "Changing corporate-owned user enrollment in");
    if (before !== enabled) {
        await run.warn(
            `intune: corporate-owned user enrollment was ${before ? "on" : "off"} in this tenant and is now ${enabled ? "on" : "off"}; \`pulumi destroy\` of ${ENROLLMENT_SETTINGS_TYPE_NAME} puts it back ${before ? "on" : "off"}`,
        );
    }
    return { id: ENROLLMENT_SETTINGS_ID, outs: outputsOf(now, before, run.place) };
}

/** The place recorded and this run's must agree, as for profiles: never change another tenant's switch. */
function judge(run: EnrollmentSettingsRun, what: string, recorded: Props): "here" | "left behind" {
    return judgePlace(`${what} ${LABEL}`, recordedPlace(recorded), run.place, parseMoveFrom(run.ctx.settings.moveFrom));
}

export async function readEnrollmentSettings(run: EnrollmentSettingsRun, recorded: Props): Promise<{ id: string; props: Props; inputs: Props }> {
    if (judge(run, "Refreshing", recorded) === "left behind") return { id: "", props: {}, inputs: {} };
    const live = await readSettings(run.ctx, "Refreshing");
    const was = recorded.fullyManagedEnrollmentEnabled;
    const is = live.androidDeviceOwnerFullyManagedEnrollmentEnabled;
    if (typeof was === "boolean" && typeof is === "boolean" && was !== is) {
        await run.warn(
            `intune: corporate-owned user enrollment was turned ${is ? "on" : "off"} outside this stack (in the Intune admin center, or by another stack that declares ${ENROLLMENT_SETTINGS_TYPE_NAME} for this tenant: declare it in one stack only); the next \`pulumi up\` sets it back ${was ? "on" : "off"}`,
        );
    }
    const props = outputsOf(live, recorded.foundFullyManagedEnrollmentEnabled, run.place);
    return { id: ENROLLMENT_SETTINGS_ID, props, inputs: { fullyManagedEnrollmentEnabled: props.fullyManagedEnrollmentEnabled } };
}

export async function updateEnrollmentSettings(run: EnrollmentSettingsRun, olds: Props, news: Props): Promise<Props> {
    if (judge(run, "Updating", olds) === "left behind") {
        throw new EnrollmentSettingsError(
            `Updating ${LABEL} refused: they are in the place intune:moveFrom names; run \`pulumi refresh\` first, then \`pulumi up\``,
        );
    }
    const enabled = news.fullyManagedEnrollmentEnabled === true;
    const live = await readSettings(run.ctx, "Reading");
    const is = live.androidDeviceOwnerFullyManagedEnrollmentEnabled;
    if (typeof olds.fullyManagedEnrollmentEnabled === "boolean" && typeof is === "boolean" && is !== olds.fullyManagedEnrollmentEnabled && is !== enabled) {
        await run.warn(
            `intune: corporate-owned user enrollment had been turned ${is ? "on" : "off"} outside this stack; setting it ${enabled ? "on" : "off"} as declared (if another stack declares ${ENROLLMENT_SETTINGS_TYPE_NAME} for this tenant, the two undo each other: declare it in one stack only)`,
        );
    }
    const now = is === enabled ? live : await applySwitch(run.ctx, live, enabled, "Changing corporate-owned user enrollment in");
    return outputsOf(now, olds.foundFullyManagedEnrollmentEnabled, run.place);
}

/**
 * Puts the switch back as the stack found it, unless it was changed outside the stack since (then it is left and
 * said): a tenant-wide switch outlives the stack that declared it. `retainOnDelete` leaves it as it is.
 */
export async function deleteEnrollmentSettings(run: EnrollmentSettingsRun, props: Props): Promise<void> {
    if (judge(run, "Deleting", props) === "left behind") return;
    const found = props.foundFullyManagedEnrollmentEnabled;
    const set = props.fullyManagedEnrollmentEnabled;
    if (typeof found !== "boolean" || found === set) return;
    const live = await readSettings(run.ctx, "Reading");
    const is = live.androidDeviceOwnerFullyManagedEnrollmentEnabled;
    if (is !== set) {
        await run.warn(
            `intune: corporate-owned user enrollment is ${is ? "on" : "off"}, changed outside this stack since it set it ${set ? "on" : "off"}: left as it is, not put back ${found ? "on" : "off"}`,
        );
        return;
    }
    await applySwitch(run.ctx, live, found, "Putting back corporate-owned user enrollment in");
}
