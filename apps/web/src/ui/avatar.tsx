interface AvatarProps {
  name: string;
  size?: 'sm' | 'md';
  /** Marks a bot: fixed colors and "AI" instead of an initial. */
  bot?: boolean;
}

/** A colored initial; the hue comes from the name so a person keeps their color. */
export function Avatar({ name, size = 'md', bot = false }: AvatarProps) {
  if (bot) {
    return (
      <span className={`avatar avatar-${size} avatar-bot`} aria-hidden="true">
        AI
      </span>
    );
  }
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) | 0;
  const hue = Math.abs(hash) % 360;
  const initial = [...name.trim()][0]?.toUpperCase() ?? '?';
  return (
    <span className={`avatar avatar-${size}`} style={{ backgroundColor: `hsl(${hue} 55% 45%)` }} aria-hidden="true">
      {initial}
    </span>
  );
}
