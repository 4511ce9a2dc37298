# File header comment.
// Second header line, slash style.
/* Block comment
   spanning lines */

meridian { # same line as the opening brace
  # own line before an attribute
  name = "ebk" # trailing hash
  catalog = "catalog.json" // trailing slashes
  /* inline before */ owner = "ml" /* inline after */
  region /* between key and = */ = /* between = and value */ "eu"
  // comment before the closing brace
} # after the closing brace

provider "aws" /* between labels */ "main" {
  account_id = "123456789012" # short
  partition = "aws" # a somewhat longer trailing comment

  # a comment after a blank line
  endpoint = "https://bedrock.example" /* block */ # then hash
}

access "portal" {
  models = [ # after the bracket
    # own line in a list
    model.assistant, # after a comma
    model.batch # before the closing bracket
  ]
  aws = [
    "arn:aws:iam::123456789012:role/a", /* inline after comma */
    "arn:aws:iam::123456789012:role/b",
    # last comment in the list
  ]
  azure = {
    # own line in an object
    group = "11111111-2222-3333-4444-555555555555" # after a value
    app = "66666666-7777-8888-9999-000000000000", # after a comma
  }
}

logging "audit" { /* empty but commented */ }

locals {
  merged = merge(local.a, { # opens the object
    b = 1 # inside
  }) # after the call
  args = concat(
    # first argument
    local.a, # trailing in a call
      local.b /* before the comma */ ,
  )
  lowered = [for s in var.list : lower(s)] /* after a for */
  options = { /* inline */ a = 1, /* inline */ b = 2 }
}

# Footer comment.
