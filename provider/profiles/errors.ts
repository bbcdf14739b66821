import { ReportedError } from "../graph/errors";
import { scrub } from "../graph/secrets";
import type { Props } from "./model";

/**
 * A profile that exists in Intune but whose create did not finish (the token or the read-back failed). Pulumi records
 * it with these properties, so nothing is orphaned and the next `pulumi up` repairs it through update.
 */
export class ProfileCreatedButFailed extends ReportedError {
    constructor(
        readonly id: string,
        readonly properties: Props,
        readonly reasons: string[],
    ) {
        super(scrub(`${reasons.join("; ")} (the profile ${id} was created and is kept in the stack; the next \`pulumi up\` finishes it)`));
        this.name = "ProfileCreatedButFailed";
    }
}

/** A failure of a profile operation that the message fully explains (no trace of this package's code helps). */
export class ProfileError extends ReportedError {
    constructor(message: string) {
        super(scrub(message));
        this.name = "ProfileError";
    }
}
