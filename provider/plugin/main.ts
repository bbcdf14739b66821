import { useEngine } from "../runtime/engineLog";
import { exitWhenEngineGone, parseEngineAddress } from "../runtime/engineWatch";
import { serve } from "./server";

/**
 * The provider plugin's entry: `pulumi-resource-intune [--logtostderr] [-v=N] [--tracing URL] <engine address>`, as
 * the engine starts it. The first line on stdout is the port it serves on (the engine reads nothing else there);
 * everything else goes to stderr or, as warnings, to the engine's log.
 */

/** The engine's address: the one positional argument, after the flags the engine may add. */
export function engineArgument(argv: readonly string[]): string | undefined {
    const positional: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--tracing") i++;
        else if (!argv[i].startsWith("-")) positional.push(argv[i]);
    }
    return positional[0];
}

async function main(): Promise<void> {
    const engine = engineArgument(process.argv.slice(2));
    if (engine) {
        useEngine(engine);
        // A killed CLI leaves its plugins running: this one ends itself once the engine is gone.
        const address = parseEngineAddress(engine);
        if (address) exitWhenEngineGone([], { engine: address });
    }
    const port = await serve();
    process.stdout.write(`${port}\n`);
}

if (require.main === module) {
    main().catch((err: unknown) => {
        process.stderr.write(`intune provider plugin: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    });
}
