//! The HTML the provider shows: sign-in, create-account, error, `form_post`
//! and signed-out pages.
//!
//! Plain server-rendered HTML with inline CSS; no JavaScript except the
//! one-line auto-submit of the `form_post` response (which also has a
//! visible "Continue" button). Every dynamic value is HTML-escaped.
//! The form markup is a stable interface, documented in the crate docs.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use crate::store::DevUser;
use crate::util::sha256;

/// The brand shown on every page.
const BRAND: &str = "Dev Provider";

/// The script that submits the `form_post` response on load.
const AUTO_SUBMIT: &str = "document.getElementById('response-form').submit();";

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;\
background:#f3f4f8;color:#1f2330;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif}\
main{width:100%;max-width:400px;background:#fff;border-radius:14px;padding:32px 32px 24px;\
box-shadow:0 1px 3px rgba(20,24,40,.08),0 8px 28px rgba(20,24,40,.08)}\
.brand{display:flex;align-items:center;gap:8px;font-weight:600;color:#4b4fd6;margin-bottom:20px}\
.logo{display:inline-flex;width:26px;height:26px;border-radius:7px;background:#4b4fd6;color:#fff;\
align-items:center;justify-content:center;font-size:14px}\
h1{font-size:22px;margin:0 0 4px}\
.subtitle{margin:0 0 20px;color:#5b6070}\
label{display:block;font-weight:500;margin:14px 0 6px}\
.optional{font-weight:400;color:#80869a}\
input[type=email],input[type=text]{width:100%;padding:10px 12px;border:1px solid #cfd3df;border-radius:8px;font:inherit}\
input:focus{outline:2px solid #4b4fd6;outline-offset:1px;border-color:#4b4fd6}\
button{width:100%;padding:10px 14px;border-radius:8px;font:inherit;font-weight:600;cursor:pointer}\
.primary{margin-top:16px;background:#4b4fd6;color:#fff;border:1px solid #4b4fd6}\
.primary:hover{background:#3d41c0}\
.secondary{margin-top:10px;background:#fff;color:#3a3f50;border:1px solid #cfd3df}\
.secondary:hover{background:#f6f7fb}\
.pick{margin-top:8px;background:#fff;color:#1f2330;border:1px solid #e1e4ec;text-align:left;font-weight:500}\
.pick:hover{border-color:#4b4fd6}\
.divider{margin:22px 0 4px;color:#80869a;font-size:13px;text-align:center}\
.switch{margin:18px 0 0;text-align:center;color:#5b6070}\
a{color:#4b4fd6}\
.error{margin:0 0 12px;padding:10px 12px;border-radius:8px;background:#fdecec;color:#9b1c1c}\
.message{color:#3a3f50}\
code{background:#f3f4f8;padding:1px 5px;border-radius:4px;font-size:13px}\
footer{margin-top:18px;font-size:12px;color:#80869a}";

/// What the sign-in and create-account pages need to know.
#[derive(Debug, Clone)]
pub(crate) struct PageContext {
    pub(crate) interaction: String,
    pub(crate) client_id: String,
    pub(crate) accounts: Vec<DevUser>,
}

/// A message shown above a form, optionally followed by a link.
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    pub(crate) text: String,
    pub(crate) link: Option<(String, String)>,
}

impl Notice {
    pub(crate) fn new(text: impl Into<String>) -> Self {
        Notice {
            text: text.into(),
            link: None,
        }
    }

    pub(crate) fn with_link(mut self, href: String, label: impl Into<String>) -> Self {
        self.link = Some((href, label.into()));
        self
    }

    fn html(&self) -> String {
        let link = self
            .link
            .as_ref()
            .map(|(href, label)| {
                format!(
                    r#" <a id="error-link" href="{}">{}</a>"#,
                    attr(href),
                    text(label)
                )
            })
            .unwrap_or_default();
        format!(
            r#"<p class="error" id="error" role="alert">{}{link}</p>"#,
            text(&self.text)
        )
    }
}

/// A relative URL to one of the interaction's pages.
pub(crate) fn interaction_url(path: &str, interaction: &str, email: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("interaction", interaction);
    if let Some(email) = email.filter(|e| !e.is_empty()) {
        query.append_pair("email", email);
    }
    format!("{path}?{}", query.finish())
}

pub(crate) fn layout(title: &str, body: &str, script: Option<&str>) -> String {
    let script = script
        .map(|s| format!("<script>{s}</script>"))
        .unwrap_or_default();
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · {BRAND}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <div class=\"brand\"><span class=\"logo\" aria-hidden=\"true\">&#9670;</span>{BRAND}</div>\n\
         <h1>{title}</h1>\n{body}\n</main>\n\
         <footer>A local OpenID Provider for development and tests.</footer>\n{script}\n</body>\n</html>\n",
        title = text(title),
    )
}

pub(crate) fn respond(status: StatusCode, html: String, script: Option<&str>) -> Response {
    let mut csp = String::from(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'",
    );
    if let Some(script) = script {
        csp.push_str(&format!(
            "; script-src 'sha256-{}'",
            b64_standard(&sha256(script))
        ));
    }
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

fn b64_standard(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

pub(crate) fn hidden(name: &str, value: &str) -> String {
    format!(
        r#"<input type="hidden" name="{}" value="{}">"#,
        attr(name),
        attr(value)
    )
}

fn cancel_form(interaction: &str) -> String {
    format!(
        "<form id=\"cancel-form\" method=\"post\" action=\"/authorize/decision\">\
         {}{}<button id=\"cancel\" class=\"secondary\" type=\"submit\">Cancel</button></form>",
        hidden("interaction", interaction),
        hidden("action", "cancel"),
    )
}

fn subtitle(client_id: &str) -> String {
    format!(
        r#"<p class="subtitle">to continue to <strong id="client-name">{}</strong></p>"#,
        text(client_id)
    )
}

/// The "Sign in" page.
pub(crate) fn sign_in(ctx: &PageContext, notice: Option<&Notice>, email: &str) -> Response {
    let mut body = subtitle(&ctx.client_id);
    if let Some(notice) = notice {
        body.push_str(&notice.html());
    }
    body.push_str(&format!(
        "<form id=\"sign-in-form\" method=\"post\" action=\"/authorize/decision\">{}{}\
         <label for=\"email\">Email</label>\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required autofocus value=\"{}\">\
         <button id=\"continue\" class=\"primary\" type=\"submit\">Continue</button></form>",
        hidden("interaction", &ctx.interaction),
        hidden("action", "sign_in"),
        attr(email),
    ));
    if !ctx.accounts.is_empty() {
        body.push_str(r#"<p class="divider">or continue as</p><div id="accounts">"#);
        for user in &ctx.accounts {
            body.push_str(&format!(
                "<form class=\"account-pick\" method=\"post\" action=\"/authorize/decision\">{}{}{}\
                 <button class=\"pick\" type=\"submit\" data-email=\"{}\">{}</button></form>",
                hidden("interaction", &ctx.interaction),
                hidden("action", "sign_in"),
                hidden("email", &user.email),
                attr(&user.email),
                text(&user.email),
            ));
        }
        body.push_str("</div>");
    }
    body.push_str(&format!(
        r#"<p class="switch">No account yet? <a id="create-account-link" href="{}">Create an account</a></p>"#,
        attr(&interaction_url("/authorize/create", &ctx.interaction, None))
    ));
    body.push_str(&cancel_form(&ctx.interaction));
    respond(StatusCode::OK, layout("Sign in", &body, None), None)
}

/// The "Create an account" page.
pub(crate) fn create_account(
    ctx: &PageContext,
    notice: Option<&Notice>,
    email: &str,
    name: &str,
) -> Response {
    let mut body = subtitle(&ctx.client_id);
    if let Some(notice) = notice {
        body.push_str(&notice.html());
    }
    body.push_str(&format!(
        "<form id=\"create-form\" method=\"post\" action=\"/authorize/decision\">{}{}\
         <label for=\"email\">Email</label>\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required autofocus value=\"{}\">\
         <label for=\"name\">Name <span class=\"optional\">(optional)</span></label>\
         <input id=\"name\" name=\"name\" type=\"text\" autocomplete=\"name\" value=\"{}\">\
         <button id=\"create-account\" class=\"primary\" type=\"submit\">Create account</button></form>",
        hidden("interaction", &ctx.interaction),
        hidden("action", "create"),
        attr(email),
        attr(name),
    ));
    body.push_str(&format!(
        r#"<p class="switch">Already have an account? <a id="sign-in-link" href="{}">Sign in</a></p>"#,
        attr(&interaction_url("/authorize/sign-in", &ctx.interaction, None))
    ));
    body.push_str(&cancel_form(&ctx.interaction));
    respond(
        StatusCode::OK,
        layout("Create an account", &body, None),
        None,
    )
}

/// An error page: shown instead of redirecting when the redirect target
/// cannot be trusted (unknown client, unregistered redirect URI, expired
/// interaction).
pub(crate) fn error(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        r#"<p class="message" id="error-message">{}</p>"#,
        text(message)
    );
    respond(status, layout(title, &body, None), None)
}

/// The `form_post` response (OAuth 2.0 Form Post Response Mode): an
/// auto-submitting form of hidden fields POSTed to the redirect URI.
pub(crate) fn form_post(action: &str, params: &[(&str, &str)]) -> Response {
    let fields: String = params.iter().map(|(k, v)| hidden(k, v)).collect();
    let body = format!(
        "<p class=\"subtitle\">Returning you to the application&hellip;</p>\
         <form id=\"response-form\" method=\"post\" action=\"{}\">{fields}\
         <button id=\"continue\" class=\"primary\" type=\"submit\">Continue</button></form>",
        attr(action),
    );
    respond(
        StatusCode::OK,
        layout("Continue", &body, Some(AUTO_SUBMIT)),
        Some(AUTO_SUBMIT),
    )
}

/// The page shown after logout when there is nowhere to redirect to.
pub(crate) fn signed_out() -> Response {
    let body = r#"<p class="message" id="signed-out">You have been signed out. You can close this window.</p>"#;
    respond(StatusCode::OK, layout("Signed out", body, None), None)
}

/// The landing page at `/`.
pub(crate) fn home(issuer: &str, discovery: &str) -> Response {
    let body = format!(
        "<p class=\"message\">This OpenID Provider is running. Point your client at the issuer \
         <code id=\"issuer\">{}</code>.</p><p class=\"message\">Discovery: <a href=\"{}\">{}</a></p>",
        text(issuer),
        attr(discovery),
        text(discovery),
    );
    respond(StatusCode::OK, layout(BRAND, &body, None), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> PageContext {
        PageContext {
            interaction: "abc".into(),
            client_id: "<script>".into(),
            accounts: vec![DevUser {
                sub: "1".into(),
                email: "a\"b@example.com".into(),
                email_verified: true,
            }],
        }
    }

    async fn body(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    #[tokio::test]
    async fn values_are_escaped() {
        let html = body(sign_in(&ctx(), Some(&Notice::new("<b>")), "\"><x")).await;
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>"));
        assert!(html.contains("&quot;&gt;&lt;x"));
        assert!(html.contains("a&quot;b@example.com"));
    }

    #[tokio::test]
    async fn form_post_has_script_hash_in_csp() {
        let response = form_post("http://x/cb", &[("code", "c"), ("state", "s")]);
        let csp = response
            .headers()
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_default();
        assert!(csp.contains("script-src 'sha256-"), "{csp}");
        let html = body(response).await;
        assert!(html.contains(r#"<input type="hidden" name="code" value="c">"#));
    }
}
