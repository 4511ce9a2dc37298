


meridian {


  name = "ebk"



  catalog = "catalog.json"


}




emit "terraform" {
  path = "generated/terraform"
}
emit "pulumi" {

  path = "generated/pulumi"

  language = "typescript"

}



# trailing comment after blank lines


