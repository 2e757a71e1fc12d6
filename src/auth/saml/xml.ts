import { DOMParser, type Element } from '@xmldom/xmldom';

/** The document element of `xml`, parsed strictly (any error, not only a fatal one, refuses it), or null. */
export function parseXmlRoot(xml: string): Element | null {
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml');
    return doc.documentElement;
  } catch {
    return null;
  }
}

export const elementsNS = (parent: Element, ns: string, name: string): Element[] =>
  Array.from(parent.getElementsByTagNameNS(ns, name));
