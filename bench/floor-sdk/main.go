// Command floor-sdk is the floor program linked with aws-sdk-go-v2's config
// and STS packages (as tempcreds must be): it shows what linking the SDK
// alone costs at start-up, before tempcreds does anything.
package main

import (
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/tempcreds/tempcreds/bench/internal/floorprog"
)

func main() { floorprog.Main() }
