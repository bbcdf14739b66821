import { sameValue } from "./diff";
import { Props } from "./model";
import { ProfileKind } from "./kind";
import { inputsFromOutputs } from "./state";

/**
 * A property the program does not declare is left unmanaged, so a change made to it in the portal is no drift and a
 * refresh would pass over it in silence. The service's lastModifiedDateTime still tells that the profile changed
 * since the provider last wrote or read it: when no declared property and no token change explains that, a refresh
 * says so, naming the properties the program leaves unmanaged.
 */
export function undeclaredChangeNotice(kind: ProfileKind, recorded: Props, live: Props): string | undefined {
    const before = recorded.lastModifiedDateTime;
    const after = live.lastModifiedDateTime;
    if (typeof before !== "string" || typeof after !== "string" || before === after) return undefined;
    const declaredBefore = inputsFromOutputs(kind, recorded);
    const declaredAfter = inputsFromOutputs(kind, live);
    // A declared property that changed shows as drift in the next diff; a new token shows in the outputs.
    if (kind.writable.some((k) => !sameValue(kind, k, declaredBefore[k], declaredAfter[k]))) return undefined;
    if (recorded.tokenValue !== live.tokenValue || recorded.tokenExpirationDateTime !== live.tokenExpirationDateTime) return undefined;
    const unmanaged = kind.writable.filter((k) => !(k in declaredBefore));
    if (unmanaged.length === 0) return undefined;
    const name = typeof live.displayName === "string" ? live.displayName : "?";
    return (
        `intune: ${kind.label} "${name}" was changed in Intune since the last run (lastModifiedDateTime ${before}, now ${after}), ` +
        `but in no property this program declares: one it leaves unmanaged may have been changed in the portal (${unmanaged.join(", ")}). ` +
        "Declare a property to manage it."
    );
}
