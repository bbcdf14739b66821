import { GraphRequestError } from "../graph/errors";
import { EnterpriseSettings, isBound, readEnterpriseSettings } from "../enterprise/settings";
import type { ProfileContext } from "./context";
import type { EnrollmentRequirement, ProfileKind } from "./kind";
import { Props, UNKNOWN } from "./model";

/**
 * Will the devices enroll? A profile can deploy cleanly and still enroll nothing: every mode but AOSP needs the
 * tenant bound to managed Google Play, and fully managed and corporate-owned work profile enrollment need
 * "allow users to enroll corporate-owned user devices" on. Each kind says what its profiles need
 * (`enrollmentRequirements`); this reads the tenant's settings once per run (one GET, shared by every profile of the
 * run) and turns each unmet requirement into a warning that names the setting and the fix. It never fails a run:
 * a tenant that refuses the read (an Intune role scoped to profiles only) gets one warning saying which permission
 * would let it check.
 */

type Reading = { settings: EnterpriseSettings } | { unavailable: string };

/**
 * What a run knows of its tenant's readiness, per context (one per settings, so one per run in a provider host): the
 * one read of the settings, the warnings already given (a resource is told once however many calls it gets), and
 * whether this run's AndroidEnterpriseEnrollmentSettings turns corporate-owned user enrollment on.
 */
interface RunReadiness {
    reading?: Promise<Reading>;
    given: Set<string>;
    switchDeclaredOn: boolean;
}

const runs = new WeakMap<ProfileContext, RunReadiness>();

function runOf(ctx: ProfileContext): RunReadiness {
    let run = runs.get(ctx);
    if (!run) runs.set(ctx, (run = { given: new Set(), switchDeclaredOn: false }));
    return run;
}

/** This run declares corporate-owned user enrollment on (an AndroidEnterpriseEnrollmentSettings resource): its profiles will be able to enroll. */
export function switchDeclaredOn(ctx: ProfileContext): void {
    runOf(ctx).switchDeclaredOn = true;
}

function reading(ctx: ProfileContext): Promise<Reading> {
    const run = runOf(ctx);
    if (!run.reading) {
        const operation = { description: "Reading the tenant's Android Enterprise settings (to check that devices can enroll)", kind: "read" as const };
        run.reading = readEnterpriseSettings(ctx.client, operation).then(
            (settings): Reading => ({ settings }),
            (err: unknown): Reading => ({ unavailable: unavailableReason(err) }),
        );
    }
    return run.reading;
}

/** The settings as this run read them; undefined when they could not be read (the reason is warned about once). */
export async function enterpriseSettingsOfRun(ctx: ProfileContext): Promise<EnterpriseSettings | undefined> {
    const r = await reading(ctx);
    return "settings" in r ? r.settings : undefined;
}

/** The settings were read again by someone who changed them (this run's settings resource): later checks see that. */
export function settingsChanged(ctx: ProfileContext, settings: EnterpriseSettings): void {
    runOf(ctx).reading = Promise.resolve({ settings });
}

function unavailableReason(err: unknown): string {
    // Judged by the status of this call, not by the words of the refusal.
    if (err instanceof GraphRequestError && (err.status === 401 || err.status === 403)) {
        return (
            `reading the tenant's Android Enterprise settings was refused (${err.status}): the sign-in needs the Microsoft Graph permission ` +
            "DeviceManagementConfiguration.Read.All (or .ReadWrite.All) and an Intune role that covers Android enrollment settings"
        );
    }
    return `reading the tenant's Android Enterprise settings failed: ${err instanceof Error ? err.message : String(err)}`;
}

const NAME = (props: Props): string => (typeof props.displayName === "string" ? props.displayName : "?");

/** What is missing for this requirement in these settings, with the fix; undefined when it is met or cannot be told. */
function unmet(requirement: EnrollmentRequirement, settings: EnterpriseSettings, switchOnThisRun: boolean): string | undefined {
    if (requirement === "managedGooglePlay") {
        if (isBound(settings) || settings.bindStatus === undefined || settings.bindStatus === null) return undefined;
        return (
            `the tenant is not bound to managed Google Play (bindStatus ${settings.bindStatus}): connect it in the Intune admin center ` +
            "(Devices > Android > Android enrollment > Managed Google Play)"
        );
    }
    if (settings.androidDeviceOwnerFullyManagedEnrollmentEnabled !== false || switchOnThisRun) return undefined;
    return (
        "corporate-owned user enrollment is off in this tenant (androidDeviceOwnerFullyManagedEnrollmentEnabled false): declare " +
        'AndroidEnterpriseEnrollmentSettings with fullyManagedEnrollmentEnabled: true, or turn on "Allow users to enroll ' +
        'corporate-owned user devices" in the Intune admin center (Devices > Android > Android enrollment > Corporate-owned, fully managed user devices)'
    );
}

/**
 * The warnings for one profile (its declared inputs or recorded outputs), each given once per run. `who` is the
 * resource's URN where the engine told it (so the warning shows on that resource), else its name.
 */
export async function readinessWarnings(kind: ProfileKind, ctx: ProfileContext, props: Props, who: string): Promise<string[]> {
    const requirements = kind.enrollmentRequirements?.(props) ?? [];
    // A mode still unknown in a preview: nothing to judge yet.
    if (requirements.length === 0 || kind.tokenRuleInputs.some((k) => props[k] === UNKNOWN)) return [];
    const run = runOf(ctx);
    const r = await reading(ctx);
    const warnings: string[] = [];
    if ("unavailable" in r) {
        if (!run.given.has("unavailable")) {
            run.given.add("unavailable");
            warnings.push(`intune: could not check that devices can enroll with this run's profiles: ${r.unavailable}. Nothing else is affected.`);
        }
        return warnings;
    }
    for (const requirement of requirements) {
        const missing = unmet(requirement, r.settings, run.switchDeclaredOn);
        const key = `${who}|${requirement}`;
        if (!missing || run.given.has(key)) continue;
        run.given.add(key);
        const mode = typeof props.enrollmentMode === "string" ? ` (${props.enrollmentMode})` : "";
        warnings.push(`intune: ${kind.label} "${NAME(props)}"${mode}: devices cannot enroll with it yet: ${missing}`);
    }
    return warnings;
}
