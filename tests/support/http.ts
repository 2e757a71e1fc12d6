/** A response body as loosely typed JSON, for assertions. */
export const json = (response: Response): Promise<any> => response.json();
