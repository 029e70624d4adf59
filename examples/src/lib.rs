//! Shared pieces of the example applications: the page layout.

use html_escape::encode_text;

/// A page in the examples' common layout. `body` is trusted HTML; escape
/// anything user-controlled with [`escape`] before putting it in.
pub fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
:root{{--brand:#3056d3}}
body{{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f5f6f8;color:#1d2330;margin:0}}
header{{background:#fff;border-bottom:1px solid #e4e6eb;padding:.9rem 2rem;font-weight:600}}
main{{max-width:36rem;margin:3rem auto;background:#fff;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.07);padding:2rem 2.5rem}}
h1{{font-size:1.4rem;margin-top:0}}
dl{{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem}} dt{{color:#5b6475}} dd{{margin:0;font-family:ui-monospace,monospace;word-break:break-all}}
.actions{{display:flex;gap:.75rem;margin-top:1.5rem}}
a.button,button{{font:inherit;background:var(--brand);color:#fff;border:0;border-radius:8px;padding:.6rem 1.1rem;font-size:1rem;text-decoration:none;cursor:pointer}}
a.button.secondary,button.secondary{{background:#eef1fb;color:var(--brand)}}
</style></head>
<body><header>Example App</header><main>{body}</main></body></html>"#,
        title = encode_text(title),
    )
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    encode_text(text).into_owned()
}

/// The home page for a signed-in user or a visitor.
pub fn home_page(user: Option<(&str, Option<&str>)>) -> String {
    match user {
        Some((sub, email)) => page(
            "Signed in",
            &format!(
                r#"<h1>You are signed in</h1>
<dl><dt>Subject (sub)</dt><dd id="sub">{}</dd><dt>Email</dt><dd id="email">{}</dd></dl>
<form method="post" action="/logout" class="actions"><button id="logout" type="submit">Sign out</button></form>"#,
                escape(sub),
                escape(email.unwrap_or("(not shared)")),
            ),
        ),
        None => page(
            "Welcome",
            r#"<h1>Welcome</h1><p>Sign in with your account at the identity provider.</p>
<div class="actions"><a class="button" id="sign-in" href="/login">Sign in</a>
<a class="button secondary" id="create-account" href="/login?prompt=create">Create an account</a></div>"#,
        ),
    }
}
