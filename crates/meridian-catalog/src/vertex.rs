//! Where Vertex AI serves a catalog model from: its Model Garden publisher.

/// The Model Garden publisher of a Vertex AI model id, as in
/// `publishers/{publisher}/models/{model}`: partner models are published by their makers
/// (`anthropic`, `meta`, `mistralai`, `ai21`), Gemini and Google's embeddings by `google`.
pub fn vertex_publisher(model: &str) -> &'static str {
    const PARTNERS: [(&str, &str); 5] = [
        ("claude-", "anthropic"),
        ("llama", "meta"),
        ("mistral", "mistralai"),
        ("codestral", "mistralai"),
        ("jamba", "ai21"),
    ];
    PARTNERS
        .iter()
        .find(|(prefix, _)| model.starts_with(prefix))
        .map_or("google", |(_, publisher)| publisher)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishers_of_models() {
        assert_eq!(vertex_publisher("gemini-2.5-pro"), "google");
        assert_eq!(vertex_publisher("gemini-embedding-001"), "google");
        assert_eq!(vertex_publisher("claude-sonnet-4-5@20250929"), "anthropic");
        assert_eq!(
            vertex_publisher("llama-4-maverick-17b-128e-instruct-maas"),
            "meta"
        );
        assert_eq!(vertex_publisher("mistral-medium-3"), "mistralai");
    }
}
