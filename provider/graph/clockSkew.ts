/**
 * A difference between this machine's clock and the service's that the client does not correct for: below it the
 * service's Date header (whole seconds, taken at some moment of the answer) says too little to be worth trusting.
 * Times the service checks against a limit keep this much room.
 */
export const UNCORRECTED_CLOCK_SKEW_MS = 60_000;
