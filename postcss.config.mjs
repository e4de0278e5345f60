// Tailwind CSS 4 through its PostCSS plugin (styles import "tailwindcss").
export default { plugins: { "@tailwindcss/postcss": {} } };
