model "assistant" {
   description = <<EOT
  Customer-facing assistant.
    Keeps "quotes", \n escapes and ${templates} as written.   
EOT
  task = "reasoning"
       system_prompt = <<-PROMPT
          You are a helpful assistant.
            Indented line.
          PROMPT
  escaped = "tab\tquote\"backslash\\unicode\u00e9"
  template = "${var.prefix}-${lower(var.name)}"
  directive = "%{ if var.strict }strict%{ else }lax%{ endif }"
  dollar = "$${not_a_template}"
  notes = [
    <<EOT
first
EOT
    , "second"
  ]
}
