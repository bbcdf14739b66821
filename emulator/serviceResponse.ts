/** What a Graph route of the emulator answers: a status and, for most, a JSON body. */
export interface ServiceResponse {
    status: number;
    body?: unknown;
}
