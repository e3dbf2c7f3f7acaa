import { useEffect, useRef, useState } from "react";

/** The pages of a PDF drawn on canvases with pdf.js (the same in every browser, headless
 * included; loaded only when a letter is opened). */
export function PdfPages({ data, label }: { data: ArrayBuffer; label: string }) {
  const holder = useRef<HTMLDivElement>(null);
  const [pages, setPages] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    const target = holder.current;
    (async () => {
      const pdfjs = await import("pdfjs-dist");
      const worker = await import("pdfjs-dist/build/pdf.worker.min.mjs?url");
      pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
      const doc = await pdfjs.getDocument({ data: new Uint8Array(data.slice(0)), isEvalSupported: false }).promise;
      for (let n = 1; n <= doc.numPages && !cancelled; n++) {
        const page = await doc.getPage(n);
        const width = target?.clientWidth || 780;
        const viewport = page.getViewport({ scale: (width - 2) / page.getViewport({ scale: 1 }).width });
        const canvas = document.createElement("canvas");
        canvas.width = Math.floor(viewport.width);
        canvas.height = Math.floor(viewport.height);
        canvas.setAttribute("role", "img");
        canvas.setAttribute("aria-label", `${label}, ${n}/${doc.numPages}`);
        target?.appendChild(canvas);
        await page.render({ canvas, viewport }).promise;
        if (!cancelled) setPages(n);
      }
      await doc.destroy();
    })().catch((e: unknown) => !cancelled && setError(String(e)));
    return () => {
      cancelled = true;
      target?.replaceChildren();
    };
  }, [data, label]);
  return (
    <>
      {error && <p role="alert">{error}</p>}
      <div ref={holder} className="pdf-pages" data-testid="pdf-pages" data-pages={pages} />
    </>
  );
}
