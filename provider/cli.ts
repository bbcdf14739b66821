#!/usr/bin/env node
import { createInterface } from "node:readline";
import { scrub } from "./graph/secrets";
import { CommandIo, EXIT_CLEAN, EXIT_ERROR, ORPHANS_USAGE, parseOrphansArguments, runOrphans, UsageError } from "./orphans/command";

/** `npx pulumi-intune-enrollment <command>`: the package's command line. */

const USAGE = `Usage: pulumi-intune-enrollment <command> [options]

Commands:
  orphans    list (and on request delete) the enrollment profiles no resource of a stack owns

Run \`pulumi-intune-enrollment orphans --help\` for its options.`;

function confirm(question: string): Promise<boolean> {
    return new Promise((resolve) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        let answered = false;
        rl.on("close", () => {
            if (!answered) process.stderr.write("\n");
            resolve(false);
        });
        rl.question(question, (answer) => {
            answered = true;
            resolve(/^y(es)?$/i.test(answer.trim()));
            rl.close();
        });
    });
}

async function main(args: string[]): Promise<number> {
    const [command, ...rest] = args;
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT_ERROR : EXIT_CLEAN;
    }
    if (command !== "orphans") {
        process.stderr.write(`unknown command "${command}"\n\n${USAGE}\n`);
        return EXIT_ERROR;
    }
    if (rest.includes("--help") || rest.includes("-h")) {
        process.stdout.write(`${ORPHANS_USAGE}\n`);
        return EXIT_CLEAN;
    }
    const io: CommandIo = {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
        confirm,
        env: process.env,
    };
    try {
        return await runOrphans(parseOrphansArguments(rest), io);
    } catch (err) {
        const message = scrub(err instanceof Error ? err.message : String(err));
        process.stderr.write(`pulumi-intune-enrollment orphans: ${message}\n`);
        if (err instanceof UsageError) process.stderr.write(`\n${ORPHANS_USAGE}\n`);
        return EXIT_ERROR;
    }
}

main(process.argv.slice(2)).then(
    (code) => {
        // Output first: an exit right after a large write to a pipe would cut it short.
        process.stdout.write("", () => process.exit(code));
    },
    (err: unknown) => {
        process.stderr.write(`pulumi-intune-enrollment: ${scrub(String(err))}\n`);
        process.exit(EXIT_ERROR);
    },
);
