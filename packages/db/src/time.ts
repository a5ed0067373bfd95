/** Now, as the ISO-8601 string the ports speak. */
export const isoNow = () => new Date().toISOString();
