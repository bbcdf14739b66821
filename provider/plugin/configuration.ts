import { CheckFailure } from "../profiles/kind";
import { Props } from "../profiles/model";
import { ConfigReader } from "../runtime/configuration";
import { settingProblem } from "../runtime/settings";
import { PACKAGE_NAME } from "../typeTokens";

/**
 * The provider's settings as the engine gives them to a plugin: stack config (`intune:*`, the default provider) as
 * Configure's `variables` (`intune:config:<key>`), a provider resource's properties as its `args`. Read through the
 * same resolution as the dynamic resources' (runtime/settings.ts), environment variables included.
 */

/** Keys the engine itself adds to a provider's inputs. */
const ENGINE_KEYS = new Set(["version", "pluginDownloadURL"]);

/** CheckConfig: every key must be a setting, and each typed one a value of its type; nothing is sent anywhere. */
export function checkConfig(news: Props): CheckFailure[] {
    const failures: CheckFailure[] = [];
    for (const [key, value] of Object.entries(news)) {
        if (ENGINE_KEYS.has(key)) continue;
        const problem = settingProblem(key, value);
        if (problem) failures.push({ property: key, reason: problem });
    }
    return failures;
}

/** Whether two configurations differ in a setting (the engine's own keys aside). */
export function configChanged(olds: Props, news: Props): boolean {
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)].filter((k) => !ENGINE_KEYS.has(k)));
    return [...keys].some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
}

/** The reader settings are resolved from: a provider resource's properties first, then stack config. */
export function configReader(variables: ReadonlyMap<string, string>, args: Props): ConfigReader {
    const prefix = `${PACKAGE_NAME}:config:`;
    const fromVariables = new Map<string, string>();
    for (const [key, value] of variables) if (key.startsWith(prefix)) fromVariables.set(key.slice(prefix.length), value);
    const fromArgs = new Map(Object.entries(args).filter(([k, v]) => !ENGINE_KEYS.has(k) && v !== undefined && v !== null));
    return {
        get: (key) => {
            const bare = key.replace(`${PACKAGE_NAME}:`, "");
            return fromArgs.get(bare) ?? fromVariables.get(bare);
        },
        keys: () => [...new Set([...fromArgs.keys(), ...fromVariables.keys()])].map((k) => `${PACKAGE_NAME}:${k}`),
    };
}
