"use client";

// Replaces the root layout when it fails itself, so no translations are loaded: both languages.
export default function GlobalError({ reset }: { error: Error; reset: () => void }) {
  return (
    <html lang="zh-CN">
      <body style={{ fontFamily: "system-ui, sans-serif", textAlign: "center", padding: "4rem 1rem" }}>
        <h1>出错了 · Something went wrong</h1>
        <p>页面无法显示，请重试。 · The page could not be shown. Please try again.</p>
        <button type="button" onClick={() => reset()}>
          重试 · Try again
        </button>
      </body>
    </html>
  );
}
