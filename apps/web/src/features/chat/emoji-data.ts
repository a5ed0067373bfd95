/** The emoji the picker offers: common ones, each with the words a search finds it by. */
export interface EmojiEntry {
  emoji: string;
  name: string;
}

export const EMOJI: readonly EmojiEntry[] = [
  { emoji: '👍', name: 'thumbs up yes like' },
  { emoji: '👎', name: 'thumbs down no dislike' },
  { emoji: '❤️', name: 'red heart love' },
  { emoji: '😂', name: 'face with tears of joy laugh' },
  { emoji: '🎉', name: 'party popper celebrate tada' },
  { emoji: '🙏', name: 'folded hands thanks please' },
  { emoji: '👀', name: 'eyes look' },
  { emoji: '🔥', name: 'fire hot lit' },
  { emoji: '✅', name: 'check mark done yes' },
  { emoji: '❌', name: 'cross mark no wrong' },
  { emoji: '🚀', name: 'rocket ship launch' },
  { emoji: '💯', name: 'hundred points perfect' },
  { emoji: '😀', name: 'grinning face smile' },
  { emoji: '😄', name: 'grinning face with smiling eyes happy' },
  { emoji: '😅', name: 'grinning face with sweat relief' },
  { emoji: '🤣', name: 'rolling on the floor laughing' },
  { emoji: '🙂', name: 'slightly smiling face' },
  { emoji: '😉', name: 'winking face wink' },
  { emoji: '😊', name: 'smiling face with smiling eyes blush' },
  { emoji: '😍', name: 'smiling face with heart eyes love' },
  { emoji: '🥰', name: 'smiling face with hearts love' },
  { emoji: '😘', name: 'face blowing a kiss' },
  { emoji: '😎', name: 'smiling face with sunglasses cool' },
  { emoji: '🤓', name: 'nerd face geek' },
  { emoji: '🤔', name: 'thinking face hmm' },
  { emoji: '🤨', name: 'face with raised eyebrow doubt' },
  { emoji: '😐', name: 'neutral face meh' },
  { emoji: '😶', name: 'face without mouth speechless' },
  { emoji: '🙄', name: 'face with rolling eyes' },
  { emoji: '😏', name: 'smirking face smirk' },
  { emoji: '😬', name: 'grimacing face awkward' },
  { emoji: '😌', name: 'relieved face' },
  { emoji: '😴', name: 'sleeping face tired zzz' },
  { emoji: '🤯', name: 'exploding head mind blown' },
  { emoji: '🥳', name: 'partying face celebrate' },
  { emoji: '🥺', name: 'pleading face please' },
  { emoji: '😢', name: 'crying face sad tear' },
  { emoji: '😭', name: 'loudly crying face sob' },
  { emoji: '😱', name: 'face screaming in fear shock' },
  { emoji: '😡', name: 'pouting face angry' },
  { emoji: '🤗', name: 'hugging face hug' },
  { emoji: '🤫', name: 'shushing face quiet' },
  { emoji: '🫡', name: 'saluting face salute' },
  { emoji: '🤝', name: 'handshake deal agree' },
  { emoji: '👏', name: 'clapping hands applause' },
  { emoji: '🙌', name: 'raising hands hooray' },
  { emoji: '👋', name: 'waving hand hello bye' },
  { emoji: '✌️', name: 'victory hand peace' },
  { emoji: '🤞', name: 'crossed fingers luck hope' },
  { emoji: '👌', name: 'ok hand okay' },
  { emoji: '💪', name: 'flexed biceps strong' },
  { emoji: '👉', name: 'backhand index pointing right' },
  { emoji: '☝️', name: 'index pointing up' },
  { emoji: '🫶', name: 'heart hands' },
  { emoji: '💔', name: 'broken heart' },
  { emoji: '💙', name: 'blue heart' },
  { emoji: '💚', name: 'green heart' },
  { emoji: '💜', name: 'purple heart' },
  { emoji: '✨', name: 'sparkles shiny new' },
  { emoji: '⭐', name: 'star' },
  { emoji: '🌟', name: 'glowing star' },
  { emoji: '⚡', name: 'high voltage lightning fast' },
  { emoji: '💡', name: 'light bulb idea' },
  { emoji: '📌', name: 'pushpin pin' },
  { emoji: '📎', name: 'paperclip attach' },
  { emoji: '📝', name: 'memo note write' },
  { emoji: '📣', name: 'megaphone announce' },
  { emoji: '🔔', name: 'bell notification' },
  { emoji: '🐛', name: 'bug' },
  { emoji: '🛠️', name: 'hammer and wrench tools fix' },
  { emoji: '⚠️', name: 'warning caution' },
  { emoji: '🚧', name: 'construction work in progress' },
  { emoji: '⏳', name: 'hourglass waiting' },
  { emoji: '⏰', name: 'alarm clock time' },
  { emoji: '📅', name: 'calendar date' },
  { emoji: '🎯', name: 'direct hit target bullseye' },
  { emoji: '🏆', name: 'trophy win' },
  { emoji: '🥇', name: 'first place medal gold' },
  { emoji: '🎂', name: 'birthday cake' },
  { emoji: '🍕', name: 'pizza food' },
  { emoji: '☕', name: 'hot beverage coffee tea' },
  { emoji: '🍺', name: 'beer mug cheers' },
  { emoji: '🌈', name: 'rainbow' },
  { emoji: '☀️', name: 'sun sunny' },
  { emoji: '🌧️', name: 'cloud with rain' },
  { emoji: '❄️', name: 'snowflake cold' },
  { emoji: '🐢', name: 'turtle slow' },
  { emoji: '🐶', name: 'dog face puppy' },
  { emoji: '🐱', name: 'cat face kitten' },
  { emoji: '🦄', name: 'unicorn' },
  { emoji: '🤖', name: 'robot bot' },
  { emoji: '👻', name: 'ghost' },
  { emoji: '💩', name: 'pile of poo' },
  { emoji: '➕', name: 'plus add' },
  { emoji: '❓', name: 'question mark' },
  { emoji: '❗', name: 'exclamation mark' },
];

/** The entries whose words start with each word of `query` (all of them for an empty one). */
export function searchEmoji(query: string): EmojiEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...EMOJI];
  return EMOJI.filter((entry) => {
    const names = entry.name.split(' ');
    return words.every((w) => names.some((n) => n.startsWith(w))) || entry.emoji === query.trim();
  });
}

/** How many recent picks are kept per person. */
export const RECENT_LIMIT = 16;

/** The recent picks with `emoji` first, bounded, no repeats. */
export function withRecent(recent: readonly string[], emoji: string): string[] {
  return [emoji, ...recent.filter((e) => e !== emoji)].slice(0, RECENT_LIMIT);
}
