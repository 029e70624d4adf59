//! Playing the user of a device sign-in (RFC 8628) over plain HTTP: open
//! the verification page, enter the code, sign in, approve or deny.

use reqwest::Client;
use url::Url;

use super::sign_in::{
    SignInError, Submission, UserAction, follow, forms, page_error, submit, user_submission,
};

/// What the user does on the device consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceDecision {
    /// Allow the device: its next poll gets the tokens.
    Approve,
    /// Deny the device: its next poll gets `access_denied`.
    Deny,
}

/// Signs `email` in at `verification_uri` (the device authorization's
/// `verification_uri`, or its `verification_uri_complete`, whose code is
/// prefilled), entering `user_code`, and approves or denies the device.
/// Returns the last page's `#device-result` text. `client` is a
/// [`browser_client`](super::browser_client).
pub async fn decide_device(
    client: &Client,
    verification_uri: &Url,
    user_code: &str,
    email: &str,
    decision: DeviceDecision,
) -> Result<String, SignInError> {
    let page = follow(
        client,
        client.get(verification_uri.clone()),
        verification_uri.clone(),
    )
    .await?;
    let mut code_form = find(&page.body, &page.url, "device-form")?;
    code_form.fields.retain(|(name, _)| name != "user_code");
    code_form
        .fields
        .push(("user_code".into(), user_code.into()));
    let page = submit(client, &code_form).await?;
    if let Some(message) = page_error(&page.body) {
        return Err(SignInError::Refused { message });
    }
    let sign_in = user_submission(&page.body, &page.url, UserAction::SignIn(email))?;
    let page = submit(client, &sign_in).await?;
    if let Some(message) = page_error(&page.body) {
        return Err(SignInError::Refused { message });
    }
    let id = match decision {
        DeviceDecision::Approve => "approve-form",
        DeviceDecision::Deny => "deny-form",
    };
    let page = submit(client, &find(&page.body, &page.url, id)?).await?;
    let doc = scraper::Html::parse_document(&page.body);
    let result = scraper::Selector::parse("#device-result")
        .ok()
        .and_then(|selector| {
            doc.select(&selector)
                .next()
                .map(|e| e.text().collect::<String>())
        })
        .ok_or_else(|| SignInError::NoForm {
            page: page.url.to_string(),
            what: "#device-result".into(),
        })?;
    Ok(result.trim().to_owned())
}

/// Approves the device whose user code is `user_code` as `email` (see
/// [`decide_device`]).
pub async fn approve_device(
    client: &Client,
    verification_uri: &Url,
    user_code: &str,
    email: &str,
) -> Result<String, SignInError> {
    decide_device(
        client,
        verification_uri,
        user_code,
        email,
        DeviceDecision::Approve,
    )
    .await
}

fn find(html: &str, page_url: &Url, id: &str) -> Result<Submission, SignInError> {
    let doc = scraper::Html::parse_document(html);
    forms(&doc, page_url)
        .find(|(form_id, _)| form_id.as_deref() == Some(id))
        .map(|(_, submission)| submission)
        .ok_or_else(|| SignInError::NoForm {
            page: page_url.to_string(),
            what: format!("#{id}"),
        })
}
