import type * as pulumi from "@pulumi/pulumi";
import type { InputKeys, InputType, PropertyTable, RequiredKeys } from "../profiles/properties";

/**
 * The resource's arguments: every input of the table, each a pulumi.Input. Mapped over Pick of the table, so each
 * argument keeps its property's JSDoc (what the IDE shows on hover).
 */
export type ArgsOf<T extends PropertyTable> = { [K in keyof Pick<T, RequiredKeys<T>>]: pulumi.Input<InputType<T[K]>> } & {
    [K in keyof Pick<T, Exclude<InputKeys<T>, RequiredKeys<T>>>]?: pulumi.Input<InputType<T[K]>>;
};
