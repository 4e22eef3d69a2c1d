export const documentPath: string
export const schemaPath: string
export function generate(): Promise<string>
