//! The prompts of the `prompts-*` and `completion-complete` scenarios.

use fastmcp::prelude::*;

use crate::media;

/// A simple prompt without arguments.
#[prompt]
async fn test_simple_prompt() -> &'static str {
    "This is a simple prompt for testing."
}

/// Completion candidates of `arg1`: those that start with what was typed.
pub fn complete_arg1(prefix: &str) -> Vec<String> {
    ["paris", "park", "party", "test-value", "testing"]
        .iter()
        .filter(|v| v.starts_with(prefix))
        .map(|v| (*v).to_owned())
        .collect()
}

/// A prompt with two required arguments.
#[prompt]
async fn test_prompt_with_arguments(
    #[arg(description = "First test argument", complete = complete_arg1)] arg1: String,
    #[arg(description = "Second test argument")] arg2: String,
) -> String {
    format!("Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")
}

/// A prompt that embeds a resource.
#[prompt]
async fn test_prompt_with_embedded_resource(
    #[arg(rename = "resourceUri", description = "URI of the resource to embed")]
    resource_uri: String,
) -> Vec<PromptMessage> {
    vec![
        PromptMessage::new(
            Role::User,
            ContentBlock::resource(ResourceContents::text(
                resource_uri,
                "text/plain",
                "Embedded resource content for testing.",
            )),
        ),
        PromptMessage::user_text("Please process the embedded resource above."),
    ]
}

/// A prompt with an image.
#[prompt]
async fn test_prompt_with_image() -> Vec<PromptMessage> {
    vec![
        PromptMessage::new(
            Role::User,
            ContentBlock::image(media::png_base64(), "image/png"),
        ),
        PromptMessage::user_text("Please analyze the image above."),
    ]
}

/// Register the prompts of this module.
pub fn register(server: Server) -> Server {
    server
        .prompt(test_simple_prompt)
        .prompt(test_prompt_with_arguments)
        .prompt(test_prompt_with_embedded_resource)
        .prompt(test_prompt_with_image)
}

#[cfg(test)]
mod tests {
    #[test]
    fn completion_filters_by_prefix() {
        assert_eq!(super::complete_arg1("par"), ["paris", "park", "party"]);
        assert!(super::complete_arg1("zzz").is_empty());
    }
}
