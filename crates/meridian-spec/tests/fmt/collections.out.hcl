locals {
  inline_list     = ["a", "b", "c"]
  inline_trailing = ["a", "b",]
  empty_list      = []
  empty_object    = {}
  inline_object   = { a = 1, bb = "two" }
  colon_object    = { a: 1, b: 2 }
  nested_inline   = [[1, 2], { x = [3] }]
  multi_list = [
    "swedencentral",
    "francecentral",
    "germanywestcentral"
  ]
  multi_trailing = [
    "one",
    "two",
  ]
  two_per_line = [
    "a",
    "b",
    "c",
    "d",
  ]
  multi_object = {
    cost_center         = "cc-4711"
    owner               = "ml-platform"
    data_classification = "confidential"

    team = "assistants"
  }
  comma_object = {
    a   = 1,
    bbb = 2,
  }
  list_of_objects = [
    { name = "a", weight = 60 },
    {
      name   = "b"
      weight = 40
      regions = [
        "eu-central-1",
        "eu-west-1",
      ]
    },
  ]
  object_of_lists = {
    eu = ["DE", "FR"]
    longer_key = [
      "GB",
    ]
    us = ["US"]
  }
  closing_same_line = {
    a = 1
    b = 2
  }
  list_closing_same_line = [
    1,
    2
  ]
}
