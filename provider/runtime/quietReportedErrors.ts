import { REPORTED_MARK } from "../graph/errors";

/**
 * Inside the dynamic-provider host: drop the host's own print of errors the engine reports anyway (ReportedError),
 * so an Intune engineer reads a settings or Graph error once, without a stack trace. Every other line, and every
 * other error (a bug, with its trace), is printed as before.
 */
let installed = false;

export function quietReportedErrors(): void {
    if (installed) return;
    installed = true;
    const print = console.error.bind(console);
    console.error = (...args: unknown[]): void => {
        if (args.length === 1 && typeof args[0] === "string" && args[0].startsWith(REPORTED_MARK)) return;
        print(...args);
    };
}
