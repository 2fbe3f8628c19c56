//! Prompts: arguments with descriptions and required flags, typed (non-string) arguments
//! parsed from the strings clients send, several messages, and completion.

use fastmcp::prelude::*;
use fastmcp::protocol::PromptMessage;

fn styles(prefix: &str) -> Vec<String> {
    ["concise", "detailed", "socratic"]
        .iter()
        .filter(|s| s.starts_with(prefix))
        .map(|s| s.to_string())
        .collect()
}

/// Explain a topic.
#[prompt(title = "Explain")]
async fn explain(
    #[arg(description = "What to explain")] topic: String,
    #[arg(description = "How", complete = styles)] style: Option<String>,
) -> String {
    format!(
        "Explain {topic} in a {} way.",
        style.unwrap_or_else(|| "concise".into())
    )
}

/// Quiz the user with `questions` questions (an integer, sent as a string).
#[prompt]
async fn quiz(subject: String, questions: u8) -> Vec<PromptMessage> {
    vec![
        PromptMessage::user_text(format!("Ask me {questions} questions about {subject}.")),
        PromptMessage::assistant_text(format!("Question 1 of {questions}: ...")),
    ]
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    Server::new("prompts", "1.0.0")
        .prompt(explain)
        .prompt(quiz)
        .run_stdio()
        .await
}
