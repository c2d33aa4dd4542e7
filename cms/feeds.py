"""RSS and Atom feeds of the news, for the whole site and for each section, so that commune
pages and the grassroots information system can re-post them. Absolute links throughout."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.translation import gettext as _

from . import selectors


class NewsFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, slug=None):
        self.request = request
        if slug is None:
            return None
        return selectors.section_or_404(slug)

    def title(self, section):
        name = _("Bình dân học vụ số")
        return f"{section.title} – {name}" if section else name

    def link(self, section):
        return self.request.build_absolute_uri(section.url if section else "/")

    def description(self, section):
        return _("News on Resolution 57 and digital transformation in Nghệ An.")

    def items(self, section):
        return selectors.articles(section=section)[: selectors.FEED_SIZE]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.lead

    def item_link(self, article):
        return self.request.build_absolute_uri(article.url)

    def item_guid(self, article):
        return self.item_link(article)

    def item_pubdate(self, article):
        return article.first_published_at

    def item_updateddate(self, article):
        return article.last_published_at

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]

    def item_enclosures(self, article):
        return [
            Enclosure(item["url"], str(item["size_in_bytes"]), item["mime_type"])
            for item in selectors.article_audio(article, self.request)
        ]


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed

    def subtitle(self, section):
        return self.description(section)
