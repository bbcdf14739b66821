import { GraphRequestError, SignInError } from "../graph/errors";
import { WrongPlaceError } from "./binding";
import { SettingsError } from "../runtime/settings";

/**
 * `pulumi refresh` and `pulumi destroy` do not run the program: the engine configures the provider with the settings
 * it stored at the last `pulumi up`, not with the stack's config as it is now. A stack whose intune:* settings were
 * corrected since still refreshes and destroys with the old ones, and the error they cause must say so.
 *
 * The provider cannot read the stack's current config in that case (the engine passes the host the stored copy
 * and no stack name), but it can tell that the program did not run: the engine checks every resource of a program
 * before it touches any, so a read or delete in a process that has checked nothing runs on the stored settings.
 */
let programRan = false;

/** The engine checked or diffed a resource: this process serves a run of the program, with its current settings. */
export function programIsRunning(): void {
    programRan = true;
}

export const STORED_SETTINGS_HINT =
    "This run did not run the program, so it used the intune:* settings the last `pulumi up` stored in the stack, not the stack's config as it is now: if they were changed since, run `pulumi up` first, or add --run-program to `pulumi refresh` / `pulumi destroy`.";

/** A failure that the settings decide: where the profile is looked for, the sign-in, the permissions. */
function dependsOnSettings(err: unknown): err is Error {
    if (err instanceof WrongPlaceError || err instanceof SettingsError || err instanceof SignInError) return true;
    return err instanceof GraphRequestError && (err.status === 401 || err.status === 403);
}

/** The error, told that it came from the stored settings when a read or delete ran without the program. */
export function explainStoredSettings(err: unknown): unknown {
    // The engine shows only the message of a provider's error, so the hint goes there.
    if (!programRan && dependsOnSettings(err) && !err.message.includes(STORED_SETTINGS_HINT)) err.message = `${err.message} ${STORED_SETTINGS_HINT}`;
    return err;
}
