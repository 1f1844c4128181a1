// Slack's :shortcode: names for the emoji Timebox and people commonly use. Unknown names stay
// as typed, as Slack does for an emoji a workspace doesn't have.
export const EMOJI = {
  "+1": "👍", "-1": "👎", alarm_clock: "⏰", arrow_down: "⬇️", arrow_right: "➡️",
  arrow_up: "⬆️", arrow_up_down: "↕️", ballot_box_with_check: "☑️", bar_chart: "📊",
  bell: "🔔", black_square_button: "🔲", bulb: "💡", calendar: "📆", chart_with_upwards_trend: "📈",
  chart_with_downwards_trend: "📉", clipboard: "📋", clock1: "🕐", clock9: "🕘", coffee: "☕",
  construction: "🚧", crown: "👑", dart: "🎯", date: "📅", eyes: "👀",
  face_with_head_bandage: "🤕", file_cabinet: "🗄️", fire: "🔥", game_die: "🎲", gear: "⚙️",
  heavy_check_mark: "✔️", heavy_minus_sign: "➖", heavy_plus_sign: "➕", hourglass: "⌛",
  hourglass_flowing_sand: "⏳", inbox_tray: "📥", information_source: "ℹ️", jigsaw: "🧩",
  label: "🏷️", large_blue_circle: "🔵", large_green_circle: "🟢", large_orange_circle: "🟠",
  large_red_circle: "🔴", large_yellow_circle: "🟡", lock: "🔒", mag: "🔍", memo: "📝",
  no_bell: "🔕", no_entry: "⛔", no_entry_sign: "🚫", ok_hand: "👌", outbox_tray: "📤",
  package: "📦", paperclip: "📎", partying_face: "🥳", pencil: "📝", pencil2: "✏️",
  point_right: "👉", point_left: "👈", pushpin: "📌", question: "❓", raised_hands: "🙌",
  recycle: "♻️", red_circle: "🔴", rocket: "🚀", rotating_light: "🚨", scissors: "✂️",
  see_no_evil: "🙈", slightly_smiling_face: "🙂", smile: "😄", sparkles: "✨", spiral_calendar_pad: "🗓️",
  stopwatch: "⏱️", tada: "🎉", thinking_face: "🤔", thumbsup: "👍", thumbsdown: "👎",
  timer_clock: "⏲️", tools: "🛠️", trophy: "🏆", wave: "👋", warning: "⚠️",
  white_check_mark: "✅", white_circle: "⚪", x: "❌", zap: "⚡", zzz: "💤",
  one: "1️⃣", two: "2️⃣", three: "3️⃣", five: "5️⃣", eight: "8️⃣", question_mark: "❓",
  busts_in_silhouette: "👥", bust_in_silhouette: "👤", speech_balloon: "💬", link: "🔗",
  hammer_and_wrench: "🛠️", checkered_flag: "🏁", muscle: "💪", heart: "❤️", star: "⭐",
  arrow_forward: "▶️", ballot_box: "🗳️", black_joker: "🃏", double_vertical_bar: "⏸️",
  fast_forward: "⏩", handshake: "🤝", repeat: "🔁", white_small_square: "▫️", black_small_square: "▪️",
  spades: "♠️", hearts: "♥️", diamonds: "♦️", clubs: "♣️", flower_playing_cards: "🎴",
};

export function emojify(html) {
  return html.replace(/:([a-z0-9_+\-]+):/g, (whole, name) => EMOJI[name] || whole);
}
