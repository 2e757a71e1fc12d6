/** The Clipboard API needs a secure context (https or localhost); elsewhere the text is selected in `field` and copied. */
export async function copyText(text: string, field: HTMLInputElement | null): Promise<boolean> {
  if (navigator.clipboard)
    return navigator.clipboard.writeText(text).then(
      () => true,
      () => false,
    );
  field?.select();
  return document.execCommand('copy');
}
