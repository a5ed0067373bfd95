import { type DragEvent, useMemo, useRef, useState } from 'react';

const carriesFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files');

/** Files dragged onto an element: `over` while they hover it (for an outline), `onFiles` when dropped. */
export function useFileDrop(onFiles: (files: File[]) => void) {
  const [over, setOver] = useState(false);
  // dragenter/dragleave fire for every child crossed: count them to know when the pointer really left.
  const depth = useRef(0);
  const handlers = useMemo(
    () => ({
      onDragEnter: (e: DragEvent) => {
        if (!carriesFiles(e)) return;
        depth.current += 1;
        setOver(true);
      },
      onDragOver: (e: DragEvent) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      },
      onDragLeave: (e: DragEvent) => {
        if (!carriesFiles(e)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      },
      onDrop: (e: DragEvent) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setOver(false);
        onFiles([...e.dataTransfer.files]);
      },
    }),
    [onFiles],
  );
  return { over, handlers };
}
