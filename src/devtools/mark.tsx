/** Kalphite's mark: a hexagonal crystal (kalphite is a mineral), drawn in the current text colour. */
export function KalphiteMark({ size = 16 }: { readonly size?: number }) {
  return (
    <svg className="kalphite-devtools-mark" width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M8 .8 14.4 4.4v7.2L8 15.2 1.6 11.6V4.4Z" fill="currentColor" />
      <path d="M8 .8v6.8M1.6 4.4 8 7.6l6.4-3.2M8 7.6v7.6" fill="none" stroke="var(--kalphite-bg, #fff)" strokeOpacity=".55" strokeWidth="1" />
    </svg>
  );
}
